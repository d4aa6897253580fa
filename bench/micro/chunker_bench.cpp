// Chunker: TextSource cutting a mapped file into chunks at word boundaries (utf8::next_cut),
// per chunk size. Small chunks mean more cuts and more per-chunk overhead in every mode.
#include <benchmark/benchmark.h>

#include "bench/micro/micro_corpus.hpp"
#include <parapipe/operators/utf8.hpp>
#include <parapipe/engine/text_source.hpp>
#include <parapipe/operators/utf8.hpp>

namespace {

using namespace parapipe;

// Open = map + cut a 64 MiB file; only the bytes around cut points are read, so this is the
// fixed cost a run pays before any chunk is processed.
void BM_TextSourceOpen(benchmark::State& state) {
    const std::string& path = bench::micro::text_file(64);
    const auto chunk = static_cast<std::size_t>(state.range(0));
    std::size_t chunks = 0;
    for (auto _ : state) {
        auto source = TextSource::open({path}, chunk, utf8::next_cut);
        chunks = source->chunk_count();
        benchmark::DoNotOptimize(chunks);
    }
    // Items are chunks cut: the bytes between cut points are never read here.
    state.counters["chunks"] = static_cast<double>(chunks);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(chunks));
}
BENCHMARK(BM_TextSourceOpen)->Arg(64 << 10)->Arg(1 << 20)->Arg(8 << 20)->Unit(benchmark::kMicrosecond);

// One cut decision: how far next_cut scans from an arbitrary offset to a safe boundary.
void BM_NextCut(benchmark::State& state) {
    const std::string& text = bench::micro::text_8mib();
    std::size_t at = 0, sum = 0;
    for (auto _ : state) {
        at = (at + 1000003) % text.size();
        sum += utf8::next_cut(text, at);
    }
    benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_NextCut);

}  // namespace
