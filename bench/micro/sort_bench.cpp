// The end of count_by_key: the merged table turned into the result, most frequent first.
// BM_SortCounts/pairs: drain the table into (std::string, count) pairs, then sort them as one
// range (detail::take_pairs + detail::sort_result: other orders than ByKey and MostFrequent);
// BM_SortCounts/buckets: the sample sort on key prefixes (detail::sorted_counts), the result
// sized first and filled bucket by bucket in parallel (results under detail::in_place_bytes);
// BM_SortCounts/buckets_grown: the same sort, the result grown a window of buckets at a time as
// its pieces are freed (larger results take this path, which keeps the peak at the result's size
// plus a window).
// Arguments: distinct keys, threads. The keys are words of 1 to 14
// letters with Zipf-like counts, so most of them tie on a count of 1 or 2, as in real text.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/reduce/keyed.hpp>

namespace {

using namespace parapipe;
using Table = PartitionedTable<std::uint64_t>;

const Table& table_of(std::size_t n) {
    static std::size_t built_for = 0;
    static Table t;
    if (built_for != n) {
        t = Table{};
        std::mt19937_64 rng(42);
        std::string w;
        for (std::size_t i = 0; t.size() < n; ++i) {
            w.clear();
            const std::size_t len = 1 + rng() % 14;
            for (std::size_t j = 0; j < len; ++j) w += static_cast<char>('a' + rng() % 26);
            t.slot(w, [&] { return std::uint64_t{1} + n / (i + 1) / 64; });
        }
        built_for = n;
    }
    return t;
}

enum class Way { pairs, buckets, buckets_grown };

template <Way W>
void BM_SortCounts(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto threads = static_cast<unsigned>(state.range(1));
    const Table& base = table_of(n);
    for (auto _ : state) {
        state.PauseTiming();
        Table t = base;
        state.ResumeTiming();
        auto out = detail::with_arena(threads, [&](const Parallelism& par) {
            if constexpr (W == Way::buckets) {
                return detail::sorted_counts(t, MostFrequent{}, par);
            } else if constexpr (W == Way::buckets_grown) {
                return detail::sorted_counts(t, MostFrequent{}, par, detail::keys_per_bucket, 0);
            } else {
                auto pairs = detail::take_pairs(std::move(t));
                detail::sort_result(pairs, MostFrequent{}, 0, par);
                return pairs;
            }
        });
        benchmark::DoNotOptimize(out.data());
        state.PauseTiming();
        out = {};
        t = Table{};
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

// Every way at the same sizes and thread counts.
void sizes_and_threads(benchmark::internal::Benchmark* b) {
    b->ArgsProduct({{175'000, 2'000'000}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
}
BENCHMARK(BM_SortCounts<Way::pairs>)->Name("BM_SortCounts/pairs")->Apply(sizes_and_threads);
BENCHMARK(BM_SortCounts<Way::buckets>)->Name("BM_SortCounts/buckets")->Apply(sizes_and_threads);
BENCHMARK(BM_SortCounts<Way::buckets_grown>)->Name("BM_SortCounts/buckets_grown")->Apply(sizes_and_threads);

}  // namespace
