#include "pipelines/wordcount.hpp"

#include <nlohmann/json.hpp>

#include "engine/csv.hpp"
#include "operators/words.hpp"

namespace parapipe::wordcount {

void count_text(std::string_view text, Partial& p) {
    p.bytes += text.size();
    p.invalid_bytes += ops::for_each_word(text, [&](std::string_view w) {
        ops::count(p.counts, w);
        ++p.words;
    });
}

Plan<Partial, Result> make_plan(std::shared_ptr<const TextSource> source, std::size_t top) {
    Plan<Partial, Result> plan;
    plan.chunk_count = source->chunk_count();
    plan.map = [source](std::size_t chunk, Partial& p) {
        source->for_each_piece(chunk, [&](std::string_view text) { count_text(text, p); });
    };
    plan.merge = [](Partial& into, Partial&& from) {
        ops::merge_counts(into.counts, std::move(from.counts));
        into.words += from.words;
        into.invalid_bytes += from.invalid_bytes;
        into.bytes += from.bytes;
    };
    plan.finalize = [top](Partial&& p) {
        Result r;
        r.total_words = p.words;
        r.unique_words = p.counts.size();
        r.bytes = p.bytes;
        r.invalid_bytes = p.invalid_bytes;
        r.words = ops::top_k(std::move(p.counts), top);
        return r;
    };
    plan.chunk_weight = [source](std::size_t c) { return source->chunk_bytes(c); };
    plan.describe_chunk = [source](std::size_t c) { return source->describe(c); };
    plan.release = [source](std::size_t c) { source->release(c); };
    return plan;
}

std::string format(const Result& r, Format f) {
    std::string out;
    switch (f) {
        case Format::tsv:
            for (const auto& [w, n] : r.words) out += w + '\t' + std::to_string(n) + '\n';
            break;
        case Format::csv:
            out = "word,count\n";
            for (const auto& [w, n] : r.words) out += csv_field(w) + ',' + std::to_string(n) + '\n';
            break;
        case Format::json: {
            nlohmann::ordered_json j;
            auto& words = j["words"] = nlohmann::ordered_json::array();
            for (const auto& [w, n] : r.words) words.push_back({{"word", w}, {"count", n}});
            j["total_words"] = r.total_words;
            j["unique_words"] = r.unique_words;
            j["bytes"] = r.bytes;
            j["invalid_bytes"] = r.invalid_bytes;
            out = j.dump() + '\n';
            break;
        }
    }
    return out;
}

}  // namespace parapipe::wordcount
