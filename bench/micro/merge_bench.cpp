// Merge: the keyed reduction of word count (engine/reduce/keyed.hpp merge_maps). Two partials
// of 8 MiB chunks share most of their vocabulary, so merging is mostly lookups and additions.
// BM_MergeAllDistinct: the end of a run over many distinct keys, the workers' partitioned
// tables merged partition by partition (detail::merge_all, as Plan::merge_finalize does) on 1
// or 2 threads. BM_FinishTwoTables: two workers' tables merged and sorted, or sorted together.
// BM_MergeSerialized: a reply merged from its bytes by Mode::processes's coordinator.
#include <benchmark/benchmark.h>

#include "bench/corpus/text_corpus.hpp"
#include "bench/micro/micro_corpus.hpp"
#include <parapipe/engine/detail/parallel.hpp>
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

// Two workers' tables of 2^20 keys each, 7 in 8 of them seen by one worker only.
const std::vector<CountMap>& distinct_tables() {
    static const std::vector<CountMap> t = [] {
        std::vector<CountMap> t(2);
        const std::size_t n = std::size_t{1} << 20;
        for (std::size_t w = 0; w < 2; ++w)
            for (std::size_t i = 0; i < n; ++i) {
                const std::size_t k = i % 8 == 0 ? i : i * 2 + w;  // every 8th key in both tables
                ++detail::slot(t[w], "w" + std::to_string(k), [] { return std::uint64_t{0}; });
            }
        return t;
    }();
    return t;
}

void BM_MergeAllDistinct(benchmark::State& state) {
    const auto threads = static_cast<unsigned>(state.range(0));
    const std::vector<CountMap>& base = distinct_tables();
    const auto add = [](std::uint64_t& x, std::uint64_t y) { x += y; };
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<CountMap> parts = base;
        state.ResumeTiming();
        CountMap merged = detail::with_arena(threads, [&](const Parallelism& par) {
            return detail::merge_all(std::move(parts), add, par);
        });
        benchmark::DoNotOptimize(merged.size());
        state.PauseTiming();
        merged = {};
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(base[0].size() + base[1].size()));
}
BENCHMARK(BM_MergeAllDistinct)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The end of a threads run on two workers: their tables counted and sorted most frequent
// first. Arg 0: merged, then sorted (detail::merge_all, detail::sorted_counts); 1: sorted
// together, the keys they share counted in one and zeroed in the other (detail::absorb_shared),
// as CountByKey::finalize_all does. Second arg: 0 two chunks' word counts (mostly the same
// words), 1 distinct_tables().
void BM_FinishTwoTables(benchmark::State& state) {
    const bool absorb = state.range(0) == 1;
    const bool distinct = state.range(1) == 1;
    const CountMap& a = distinct ? distinct_tables()[0] : counts_of_chunk(0);
    const CountMap& b = distinct ? distinct_tables()[1] : counts_of_chunk(1);
    const auto add = [](std::uint64_t& x, std::uint64_t y) { x += y; };
    const detail::KeepTbbThreads keep;  // the threads start once, not in every iteration
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<CountMap> parts{a, b};
        state.ResumeTiming();
        auto out = detail::with_arena(2, [&](const Parallelism& par) {
            if (absorb) return detail::sorted_counts(parts[0], parts[1], MostFrequent{}, par);
            CountMap merged = detail::merge_all(std::move(parts), add, par);
            return detail::sorted_counts(merged, MostFrequent{}, par);
        });
        benchmark::DoNotOptimize(out.size());
        state.PauseTiming();
        out = {};
        parts.clear();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(a.size() + b.size()));
}
BENCHMARK(BM_FinishTwoTables)
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The coordinator of Mode::processes: one reply, a serialized partial, merged into the total
// straight from its bytes (detail::merge_serialized). Arg 0: a chunk's word counts into a total
// holding another chunk's (mostly the same words); 1: 2^20 keys into a table of 2^20 others
// (distinct_tables()).
void BM_MergeSerialized(benchmark::State& state) {
    const bool distinct = state.range(0) == 1;
    const CountMap& into_base = distinct ? distinct_tables()[0] : counts_of_chunk(0);
    const CountMap& from = distinct ? distinct_tables()[1] : counts_of_chunk(1);
    Writer w;
    serialize(w, from);
    const std::string bytes = std::move(w.buffer());
    for (auto _ : state) {
        state.PauseTiming();
        CountMap into = into_base;
        state.ResumeTiming();
        Reader r(bytes.data(), bytes.size());
        detail::merge_serialized(into, r, [](std::uint64_t& x, std::uint64_t y) { x += y; });
        benchmark::DoNotOptimize(into.size());
        state.PauseTiming();
        into = {};
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(from.size()));
}
BENCHMARK(BM_MergeSerialized)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
