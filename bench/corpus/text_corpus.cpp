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

class Generator {
public:
    explicit Generator(std::uint64_t seed) : rng_(seed), ascii_zipf_(kAscii), other_zipf_(kOther) {
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
    }

    // Appends roughly `bytes` of text to out, ending after a separator.
    void append(std::string& out, std::size_t bytes) {
        const std::size_t stop = out.size() + bytes;
        std::uniform_int_distribution<int> pct(0, 99);
        while (out.size() < stop) {
            bool other = pct(rng_) < 5;
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

private:
    static constexpr std::size_t kAscii = 50000;
    static constexpr std::size_t kOther = 5000;
    std::mt19937_64 rng_;
    Zipf ascii_zipf_, other_zipf_;
    std::vector<std::string> ascii_, other_;
};

}  // namespace

std::string make_text_corpus(std::size_t bytes, std::uint64_t seed) {
    Generator g(seed);
    std::string out;
    out.reserve(bytes + 64);
    g.append(out, bytes);
    // Trim to `bytes` at the last separator so the size is exact-ish and no word is cut.
    std::size_t cut = out.find_last_of(" \n", bytes > 0 ? bytes - 1 : 0);
    out.resize(cut == std::string::npos ? 0 : cut);
    out += '\n';
    return out;
}

void write_text_corpus(const std::string& path, std::size_t bytes, std::uint64_t seed) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + path);
    Generator g(seed);
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
