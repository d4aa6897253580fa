#include <parapipe/pipelines/wordcount.hpp>

namespace parapipe::wordcount {

namespace {

void fill_counts(Result& r, const Counters& counters, const TextFilesSource& text) {
    r.bytes = text.text().total_bytes();
    if (auto it = counters.find(words_counter); it != counters.end()) r.total_words = it->second;
    if (auto it = counters.find(ops::Words::invalid_bytes_counter); it != counters.end()) r.invalid_bytes = it->second;
}

}  // namespace

Plan<Partial, Result> make_plan(std::shared_ptr<const TextFilesSource> source, std::size_t top) {
    // Read at the end: a stream's size is known once it has been read.
    auto text = source;
    auto plan = then(pipeline(std::move(source)).plan(), [top, text](std::pair<std::vector<KeyCount>, Counters>&& done) {
        auto& [words, counters] = done;
        Result r;
        r.unique_words = words.size();
        fill_counts(r, counters, *text);
        if (top > 0 && words.size() > top) words.resize(top);
        r.words = std::move(words);
        return r;
    });
    // Under a memory limit, a run that spilled is not held either at the end: the merged counts
    // are sorted most frequent first by an external sort, and the result reads them from disk.
    if (plan.finalize_spilled)
        plan.finalize_spilled = [top, text](std::vector<Partial>&& parts, const Parallelism&,
                                            std::shared_ptr<SpillFolder> folder) {
            Counters counters;
            for (Partial& p : parts) {
                merge_counters(counters, p.counters);
                spill::spill_table(p.value, *folder);
            }
            parts.clear();
            auto sorted = std::make_shared<SpilledWords>(folder, most_frequent(), folder->merge_budget);
            Result r;
            spill::merge_table_runs<std::uint64_t>(
                *folder, [](std::uint64_t& a, std::uint64_t b) { a += b; },
                [&](std::string_view w, std::uint64_t&& n) {
                    ++r.unique_words;
                    sorted->add(w, n);
                });
            sorted->seal();
            fill_counts(r, counters, *text);
            r.spilled = std::move(sorted);
            r.top = top;
            return r;
        };
    return plan;
}

}  // namespace parapipe::wordcount

namespace parapipe {
template wordcount::Result run(const Plan<wordcount::Partial, wordcount::Result>&, const RunOptions&);
}  // namespace parapipe
