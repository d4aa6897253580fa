// Serialization: engine/serialize.hpp on a word-count partial (one 8 MiB chunk): what
// Mode::processes pays per partial on each side of the pipe, in bytes of encoded partial.
#include <benchmark/benchmark.h>

#include "bench/micro/micro_corpus.hpp"
#include <parapipe/engine/serialize.hpp>
#include <parapipe/pipelines/wordcount.hpp>

namespace {

using namespace parapipe;

const wordcount::Partial& partial() {
    static const wordcount::Partial p = bench::micro::partial_of(bench::micro::text_8mib());
    return p;
}

const std::string& encoded() {
    static const std::string bytes = [] {
        Writer w;
        serialize(w, partial());
        return std::move(w.buffer());
    }();
    return bytes;
}

void BM_SerializePartial(benchmark::State& state) {
    for (auto _ : state) {
        Writer w;
        serialize(w, partial());
        benchmark::DoNotOptimize(w.buffer().data());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(encoded().size()));
    state.counters["keys"] = static_cast<double>(partial().value.size());
    state.counters["encoded_bytes"] = static_cast<double>(encoded().size());
}
BENCHMARK(BM_SerializePartial)->Unit(benchmark::kMicrosecond);

void BM_DeserializePartial(benchmark::State& state) {
    const std::string& bytes = encoded();
    for (auto _ : state) {
        wordcount::Partial p;
        Reader r(bytes.data(), bytes.size());
        deserialize(r, p);
        benchmark::DoNotOptimize(p.value.size());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_DeserializePartial)->Unit(benchmark::kMicrosecond);

}  // namespace
