// Word count on a generated 256 MiB Zipf corpus (bench/corpus/text_corpus.hpp): the plain
// single-threaded std::unordered_map baseline beside every mode with 1 and 2 workers, in bytes/s.
// Size: PARAPIPE_BENCH_MB (default 256). Run: build/bench/bench_wordcount --benchmark_min_time=1
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "bench/corpus/text_corpus.hpp"
#include "bench/wordcount/baseline.hpp"
#include <parapipe/engine/run.hpp>
#include <parapipe/pipelines/wordcount.hpp>

namespace {

using namespace parapipe;

std::size_t corpus_bytes() {
    const char* mb = std::getenv("PARAPIPE_BENCH_MB");
    return static_cast<std::size_t>(mb ? std::atoll(mb) : 256) << 20;
}

// The corpus lives in a file (the engine maps files); written once per process.
const std::string& corpus_path() {
    static const std::string path = [] {
        auto p = std::filesystem::temp_directory_path() /
                 ("parapipe-bench-corpus-" + std::to_string(corpus_bytes()) + ".txt");
        if (!std::filesystem::exists(p) || std::filesystem::file_size(p) < corpus_bytes() / 2)
            bench::write_text_corpus(p.string(), corpus_bytes());
        return p.string();
    }();
    return path;
}

void BM_Baseline(benchmark::State& state) {
    std::ifstream f(corpus_path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (auto _ : state) {
        auto counts = bench::wordcount_baseline(text);
        benchmark::DoNotOptimize(counts.size());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void BM_Mode(benchmark::State& state, Mode mode) {
    auto source = wordcount::open({corpus_path()}, 8 << 20);
    auto plan = wordcount::make_plan(source);
    RunOptions opt{.mode = mode, .workers = static_cast<unsigned>(state.range(0))};
    for (auto _ : state) {
        auto r = run(plan, opt);
        benchmark::DoNotOptimize(r.unique_words);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * source->text().total_bytes()));
}

BENCHMARK(BM_Baseline)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Mode, seq, Mode::seq)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Mode, threads, Mode::threads)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Mode, processes, Mode::processes)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Mode, shm, Mode::shm)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
