#include "bench/corpus/text_corpus.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <stdexcept>
#include <vector>

namespace parapipe::bench {

namespace {

// Zipf(s = 1) over n ranks through its cumulative distribution.
class Zipf {
public:
    explicit Zipf(std::size_t n) : cdf_(n) {
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / static_cast<double>(i + 1));
        for (double& c : cdf_) c /= sum;
    }
    template <class Rng>
    std::size_t operator()(Rng& rng) const {
        double u = std::uniform_real_distribution<double>(0, 1)(rng);
        return static_cast<std::size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    }

private:
    std::vector<double> cdf_;
};

void append_utf8(std::string& out, char32_t c) {  // c < 0x10000: the letters used here
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

class Generator {
public:
    Generator(std::uint64_t seed, TextKind kind)
        : kind_(kind), rng_(seed), ascii_zipf_(kAscii), other_zipf_(kOther), main_zipf_(kMain) {
        std::mt19937_64 vr(seed ^ 0x9e3779b97f4a7c15ull);
        for (std::size_t i = 0; i < kAscii; ++i) {
            std::size_t len = 1 + std::min<std::size_t>(11, static_cast<std::size_t>(std::log2(i + 2)) + vr() % 4);
            std::string w;
            for (std::size_t k = 0; k < len; ++k) w += static_cast<char>('a' + vr() % 26);
            if (i % 97 == 13) w += std::to_string(vr() % 100);  // some alphanumerics
            ascii_.push_back(w);
        }
        static const char* alphabets[][8] = {
            {"é", "à", "ç", "ü", "ö", "ñ", "ø", "å"},   // Latin with diacritics (mixed with ASCII)
            {"п", "р", "и", "в", "е", "т", "м", "Д"},   // Cyrillic
            {"α", "β", "γ", "δ", "λ", "Ω", "Σ", "π"},   // Greek
            {"日", "本", "語", "中", "文", "字", "水", "火"},  // CJK
        };
        for (std::size_t i = 0; i < kOther; ++i) {
            const auto& a = alphabets[i % 4];
            std::size_t len = 2 + vr() % 6;
            std::string w;
            for (std::size_t k = 0; k < len; ++k) {
                if (i % 4 == 0 && vr() % 2) w += static_cast<char>('a' + vr() % 26);
                else w += a[vr() % 8];
            }
            other_.push_back(w);
        }
        // The mostly-non-ASCII kinds draw their main vocabulary from a generator of their own, so
        // the mixed text stays the same bytes whatever is added here.
        std::mt19937_64 mr(seed ^ 0x5851f42d4c957f2dull);
        if (kind_ == TextKind::cyrillic) {
            for (std::size_t i = 0; i < kMain; ++i) {
                const std::size_t len = 2 + std::min<std::size_t>(10, static_cast<std::size_t>(std::log2(i + 2)) + mr() % 4);
                std::string lower, capital;
                for (std::size_t k = 0; k < len; ++k) {
                    const char32_t c = 0x0430 + static_cast<char32_t>(mr() % 32);  // а..я
                    append_utf8(lower, c);
                    append_utf8(capital, k == 0 ? c - 0x20 : c);  // А..Я
                }
                main_.push_back(lower);
                main_capital_.push_back(capital);
            }
        } else if (kind_ == TextKind::cjk) {
            for (std::size_t i = 0; i < kMain; ++i) {
                const std::size_t len = 1 + mr() % 4;
                std::string w;
                for (std::size_t k = 0; k < len; ++k) append_utf8(w, 0x4E00 + static_cast<char32_t>(mr() % 3000));
                main_.push_back(w);
            }
        } else if (kind_ == TextKind::distinct) {
            next_ = (seed * 0x9e3779b97f4a7c15ull) % kDistinctSpace;
        }
    }

    // Appends roughly `bytes` of text to out, ending after a separator.
    void append(std::string& out, std::size_t bytes) {
        switch (kind_) {
            case TextKind::mixed:
            case TextKind::ascii: return append_mixed(out, bytes);
            case TextKind::cyrillic:
            case TextKind::cjk: return append_mostly(out, bytes);
            case TextKind::distinct: return append_distinct(out, bytes);
        }
    }

private:
    void append_mixed(std::string& out, std::size_t bytes) {
        const std::size_t stop = out.size() + bytes;
        std::uniform_int_distribution<int> pct(0, 99);
        while (out.size() < stop) {
            bool other = pct(rng_) < 5 && kind_ == TextKind::mixed;
            const std::string& w = other ? other_[other_zipf_(rng_)] : ascii_[ascii_zipf_(rng_)];
            std::size_t at = out.size();
            out += w;
            int c = pct(rng_);
            if (c < 8 && !other) out[at] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[at])));
            else if (c < 10 && !other)
                for (std::size_t k = at; k < out.size(); ++k)
                    out[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[k])));
            int p = pct(rng_);
            if (p < 6) out += ", ";
            else if (p < 9) out += ". ";
            else if (p < 11) out += "\n";
            else if (p < 12) out += "; ";
            else if (p < 13) out += " - ";
            else if (p < 14) out += "! ";
            else out += ' ';
        }
    }

    // Cyrillic or CJK words, about 9 in 10; ASCII words between them as in the mixed text.
    void append_mostly(std::string& out, std::size_t bytes) {
        const std::size_t stop = out.size() + bytes;
        std::uniform_int_distribution<int> pct(0, 99);
        const bool cjk = kind_ == TextKind::cjk;
        while (out.size() < stop) {
            const bool main = pct(rng_) < 90;
            const int c = pct(rng_);
            if (main) {
                const std::size_t i = main_zipf_(rng_);
                out += !cjk && c < 8 ? main_capital_[i] : main_[i];
            } else {
                out += ascii_[ascii_zipf_(rng_)];
            }
            const int p = pct(rng_);
            if (cjk && main) out += p < 50 ? "\uFF0C" : p < 80 ? "\u3002" : p < 85 ? "\n" : "\u3001";  // ，。、
            else out += p < 6 ? ", " : p < 9 ? ". " : p < 11 ? "\n" : " ";
        }
    }

    // Seven lowercase letters per word, one word per line, no word twice: the k-th word is
    // (start + k) times an odd multiplier prime to 13, modulo 26^7, written in base 26.
    void append_distinct(std::string& out, std::size_t bytes) {
        const std::size_t stop = out.size() + bytes;
        while (out.size() < stop) {
            auto x = static_cast<std::uint64_t>(static_cast<unsigned __int128>(next_) * 2654435761u % kDistinctSpace);
            next_ = (next_ + 1) % kDistinctSpace;
            char w[8];
            for (int k = 6; k >= 0; --k, x /= 26) w[k] = static_cast<char>('a' + x % 26);
            w[7] = '\n';
            out.append(w, sizeof w);
        }
    }

    static constexpr std::size_t kAscii = 50000;
    static constexpr std::size_t kOther = 5000;
    static constexpr std::size_t kMain = 50000;
    static constexpr std::uint64_t kDistinctSpace = 8031810176ull;  // 26^7
    TextKind kind_;
    std::mt19937_64 rng_;
    Zipf ascii_zipf_, other_zipf_, main_zipf_;
    std::vector<std::string> ascii_, other_, main_, main_capital_;
    std::uint64_t next_ = 0;
};

constexpr std::string_view kKindNames[] = {"mixed", "ascii", "cyrillic", "cjk", "distinct"};

}  // namespace

std::string_view to_string(TextKind kind) { return kKindNames[static_cast<int>(kind)]; }

std::optional<TextKind> parse_text_kind(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kKindNames); ++i)
        if (kKindNames[i] == name) return static_cast<TextKind>(i);
    return std::nullopt;
}

std::string describe(TextKind kind) {
    switch (kind) {
        case TextKind::mixed: return "text";
        case TextKind::ascii: return "ASCII text";
        case TextKind::cyrillic: return "mostly-Cyrillic text";
        case TextKind::cjk: return "mostly-CJK text";
        case TextKind::distinct: return "distinct words";
    }
    return "text";
}

std::string make_text_corpus(std::size_t bytes, std::uint64_t seed, TextKind kind) {
    Generator g(seed, kind);
    std::string out;
    out.reserve(bytes + 64);
    g.append(out, bytes);
    // Trim to `bytes` at the last separator so the size is exact-ish and no word is cut.
    std::size_t cut = out.find_last_of(" \n", bytes > 0 ? bytes - 1 : 0);
    out.resize(cut == std::string::npos ? 0 : cut);
    out += '\n';
    return out;
}

void write_text_corpus(const std::string& path, std::size_t bytes, std::uint64_t seed, TextKind kind) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + path);
    Generator g(seed, kind);
    std::string buf;
    std::size_t written = 0;
    while (written < bytes) {
        buf.clear();
        g.append(buf, std::min<std::size_t>(bytes - written, 4 << 20));
        f.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        written += buf.size();
    }
    if (!f.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace parapipe::bench
