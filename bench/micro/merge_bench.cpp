// Merge: the keyed reduction of word count (engine/reduce/keyed.hpp merge_maps). Two partials
// of 8 MiB chunks share most of their vocabulary, so merging is mostly lookups and additions.
#include <benchmark/benchmark.h>

#include "bench/corpus/text_corpus.hpp"
#include "bench/micro/micro_corpus.hpp"
#include <parapipe/pipelines/wordcount.hpp>

namespace {

using CountMap = decltype(parapipe::wordcount::Partial::value);

using namespace parapipe;

const CountMap& counts_of_chunk(int which) {
    static const CountMap a = bench::micro::partial_of(bench::make_text_corpus(8 << 20, 1)).value;
    static const CountMap b = bench::micro::partial_of(bench::make_text_corpus(8 << 20, 2)).value;
    return which == 0 ? a : b;
}

// Merging one chunk's partial into another's (the copies are made outside the timing).
void BM_MergeCounts(benchmark::State& state) {
    const auto& a = counts_of_chunk(0);
    const auto& b = counts_of_chunk(1);
    for (auto _ : state) {
        state.PauseTiming();
        CountMap into = a, from = b;
        state.ResumeTiming();
        detail::merge_maps(into, std::move(from), [](std::uint64_t& x, std::uint64_t y) { x += y; });
        benchmark::DoNotOptimize(into.size());
        state.PauseTiming();
        into = {};  // freeing is not part of the merge
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(b.size()));
    state.counters["keys_into"] = static_cast<double>(a.size());
    state.counters["keys_from"] = static_cast<double>(b.size());
}
BENCHMARK(BM_MergeCounts)->Unit(benchmark::kMillisecond);

// Folding many partials into one, as the coordinator does at the end of a run (N chunks).
void BM_MergeManyPartials(benchmark::State& state) {
    const auto n = static_cast<int>(state.range(0));
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<CountMap> parts;
        for (int i = 0; i < n; ++i) parts.push_back(counts_of_chunk(i % 2));
        CountMap total;
        state.ResumeTiming();
        for (auto& p : parts) detail::merge_maps(total, std::move(p), [](std::uint64_t& x, std::uint64_t y) { x += y; });
        benchmark::DoNotOptimize(total.size());
        state.PauseTiming();
        parts.clear();
        total = {};
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * n * static_cast<std::int64_t>(counts_of_chunk(0).size()));
}
BENCHMARK(BM_MergeManyPartials)->Arg(2)->Arg(8)->Arg(32)->Unit(benchmark::kMillisecond);

}  // namespace
