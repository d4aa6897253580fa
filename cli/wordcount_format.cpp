#include "cli/wordcount_format.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <oneapi/tbb/parallel_pipeline.h>

#include <nlohmann/json.hpp>

#include <parapipe/engine/detail/parallel.hpp>

#include "cli/csv.hpp"

namespace parapipe::wordcount {

namespace {

constexpr std::size_t piece = std::size_t{1} << 20;

/// Appends one word's line (tsv, csv) or array element (json) to `out`; json puts a comma before
/// every word but the first.
void append_word(std::string& out, Format f, std::string_view w, std::uint64_t n, bool first) {
    switch (f) {
        case Format::tsv:
            out += w;
            out += '\t';
            out += std::to_string(n);
            out += '\n';
            break;
        case Format::csv:
            out += csv_field(std::string(w));
            out += ',';
            out += std::to_string(n);
            out += '\n';
            break;
        case Format::json:
            // The bytes nlohmann's compact dump() gives for the whole object, written word by word.
            if (!first) out += ',';
            out += "{\"word\":";
            out += nlohmann::ordered_json(std::string(w)).dump();
            out += ",\"count\":";
            out += std::to_string(n);
            out += '}';
            break;
    }
}

/// append_word(), except that a tsv word of a MiB or more is not copied: the text so far and the
/// word go to cut(out, word), which takes `out`'s text, and only the rest of the line is appended.
template <class Cut>
void add_word(std::string& out, Format f, std::string_view w, std::uint64_t n, bool first, Cut&& cut) {
    if (f == Format::tsv && w.size() >= piece) {
        cut(out, w);
        out.clear();
        w = {};
    }
    append_word(out, f, w, n, first);
}

std::string head(Format f) {
    switch (f) {
        case Format::tsv: return {};
        case Format::csv: return "word,count\n";
        case Format::json: return "{\"words\":[";
    }
    return {};
}

std::string tail(const Result& r, Format f) {
    if (f != Format::json) return {};
    return "],\"total_words\":" + std::to_string(r.total_words) + ",\"unique_words\":" + std::to_string(r.unique_words) +
           ",\"bytes\":" + std::to_string(r.bytes) + ",\"invalid_bytes\":" + std::to_string(r.invalid_bytes) + "}\n";
}

// Below this many held words the formatting stays on the calling thread.
constexpr std::size_t parallel_from = std::size_t{1} << 16;
constexpr std::size_t words_per_block = std::size_t{1} << 14;

/// A held result formatted in blocks of words on `workers` threads and handed to the sink in
/// order (a oneTBB pipeline: a few blocks in flight, so the text is never held whole). On 20
/// million distinct words the formatting was a serial half second at the end of every run.
void write_parallel(const Result& r, Format f, const std::function<void(std::string_view)>& sink, unsigned workers) {
    // A block's text, cut before each huge word, which is handed to the sink as it is.
    using Block = std::vector<std::pair<std::string, std::string_view>>;
    const std::size_t n = r.words.size();
    // oneTBB hands each block from the thread that formats it to the one that writes it; for
    // ThreadSanitizer, which cannot see inside an uninstrumented libtbb, that edge is stated.
    char formatted = 0;
    detail::with_arena(workers, [&](const Parallelism&) {
        std::size_t next = 0;
        tbb::parallel_pipeline(
            2 * workers,
            tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                                [&](tbb::flow_control& fc) -> std::size_t {
                                                    if (next >= n) {
                                                        fc.stop();
                                                        return 0;
                                                    }
                                                    const std::size_t b = next;
                                                    next += words_per_block;
                                                    return b;
                                                }) &
                tbb::make_filter<std::size_t, Block>(tbb::filter_mode::parallel,
                                                     [&](std::size_t b) {
                                                         Block block;
                                                         std::string out;
                                                         const auto cut = [&](std::string& text, std::string_view word) {
                                                             block.emplace_back(std::move(text), word);
                                                         };
                                                         for (std::size_t i = b; i < std::min(n, b + words_per_block); ++i)
                                                             add_word(out, f, r.words[i].first, r.words[i].second, i == 0, cut);
                                                         block.emplace_back(std::move(out), std::string_view{});
                                                         detail::tsan_release(&formatted);
                                                         return block;
                                                     }) &
                tbb::make_filter<Block, void>(tbb::filter_mode::serial_in_order, [&](const Block& block) {
                    detail::tsan_acquire(&formatted);
                    for (const auto& [text, word] : block) {
                        if (!text.empty()) sink(text);
                        if (!word.empty()) sink(word);
                    }
                }));
        return true;
    });
}

}  // namespace

void write(const Result& r, Format f, const std::function<void(std::string_view)>& sink, unsigned workers) {
    if (const std::string h = head(f); !h.empty()) sink(h);
    if (!r.spilled && workers > 1 && r.words.size() >= parallel_from) {
        write_parallel(r, f, sink, workers);
    } else {
        std::string out;
        bool first = true;
        const auto cut = [&](const std::string& text, std::string_view word) {
            if (!text.empty()) sink(text);
            sink(word);
        };
        r.for_each_word([&](std::string_view w, std::uint64_t n) {
            add_word(out, f, w, n, first, cut);
            first = false;
            if (out.size() >= piece) sink(out), out.clear();
        });
        if (!out.empty()) sink(out);
    }
    if (const std::string t = tail(r, f); !t.empty()) sink(t);
}

std::string format(const Result& r, Format f, unsigned workers) {
    std::string text;
    write(r, f, [&](std::string_view s) { text += s; }, workers);
    return text;
}

}  // namespace parapipe::wordcount
