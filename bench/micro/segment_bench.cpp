// Segment allocation: shm/segment.hpp (create, reserve pages, map, remove) per size, and
// shm/codec.hpp storing a word-count CountMap into a managed_external_buffer region and
// loading it back: what Mode::shm pays instead of serialization.
#include <benchmark/benchmark.h>

#include <boost/interprocess/managed_external_buffer.hpp>

#include "bench/micro/micro_corpus.hpp"
#include <parapipe/pipelines/wordcount.hpp>
#include <parapipe/engine/shm_codec.hpp>
#include <parapipe/shm/segment.hpp>

namespace {

using CountMap = decltype(parapipe::wordcount::Partial::value);

using namespace parapipe;
namespace bip = boost::interprocess;
using Codec = ShmCodec<CountMap>;

const CountMap& counts() {
    static const CountMap c = bench::micro::partial_of(bench::micro::text_8mib()).value;
    return c;
}

// Create and destroy: the segment's pages are reserved up front (posix_fallocate on /dev/shm).
void BM_SegmentCreate(benchmark::State& state) {
    const auto bytes = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        shm::Segment seg(bytes);
        benchmark::DoNotOptimize(seg.base());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_SegmentCreate)->Arg(1 << 20)->Arg(16 << 20)->Arg(128 << 20)->Unit(benchmark::kMicrosecond);

// Storing one chunk's counts in a fresh region (three flat arrays: keys, ends, values).
void BM_ShmStoreCounts(benchmark::State& state) {
    shm::Segment seg(64 << 20);
    for (auto _ : state) {
        bip::managed_external_buffer region(bip::create_only, seg.base(), seg.size());
        shm::VoidAlloc alloc(region.get_segment_manager());
        auto* stored = region.construct<Codec::stored>(bip::anonymous_instance)(Codec::make(alloc));
        Codec::store(counts(), *stored, alloc);
        benchmark::DoNotOptimize(stored);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(counts().size()));
}
BENCHMARK(BM_ShmStoreCounts)->Unit(benchmark::kMicrosecond);

// Loading them back into a CountMap, as the coordinator does before merging.
void BM_ShmLoadCounts(benchmark::State& state) {
    shm::Segment seg(64 << 20);
    bip::managed_external_buffer region(bip::create_only, seg.base(), seg.size());
    shm::VoidAlloc alloc(region.get_segment_manager());
    auto* stored = region.construct<Codec::stored>(bip::anonymous_instance)(Codec::make(alloc));
    Codec::store(counts(), *stored, alloc);
    for (auto _ : state) {
        CountMap m;
        Codec::load(*stored, m);
        benchmark::DoNotOptimize(m.size());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(counts().size()));
}
BENCHMARK(BM_ShmLoadCounts)->Unit(benchmark::kMicrosecond);

}  // namespace
