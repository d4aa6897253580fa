// Image pipeline per mode and worker count, beside the plain sequential OpenCV loop
// (baseline.hpp). Batch: decode -> grayscale,blur:5,sobel -> PNG encode over N images.
// Tile: the same ops on one decoded image cut into bands (decoding stays outside the timing).
// Reports items/s (images or bands), MPix/s, x_baseline: the baseline's time over this
// benchmark's time, both measured in this run, and cores: CPU seconds (this process, its threads
// and its reaped worker processes) per wall second, which shows when other load on the machine
// left the run fewer cores than it asked for.
//
//   bench_image --images=8 --size=4096 --benchmark_min_time=0.01
//
// The images are generated once into $PARAPIPE_BENCH_CACHE (default /tmp/parapipe-bench-images).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>

#include <benchmark/benchmark.h>
#include <opencv2/core/utility.hpp>

#include "bench/corpus/image_corpus.hpp"
#include "bench/image/baseline.hpp"
#include <parapipe/engine/run.hpp>
#include <parapipe/operators/image/apply_ops.hpp>
#include <parapipe/operators/image/parse_ops.hpp>
#include <parapipe/pipelines/image.hpp>

namespace {

namespace fs = std::filesystem;
using namespace parapipe;

int g_images = 8;
int g_size = 4096;
std::vector<std::string> g_paths;
fs::path g_out;
std::map<std::string, double> g_baseline_seconds;  // "batch" / "tile" -> seconds per iteration

const char* const chain = "grayscale,blur:5,sobel";

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// User + system CPU seconds of this process and of its children that have been waited for.
double cpu_seconds() {
    double total = 0;
    for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
        rusage u{};
        ::getrusage(who, &u);
        total += static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                 static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    }
    return total;
}

// Measures CPU use over one benchmark's lifetime (set up before its loop, read after).
struct CpuMeter {
    double start = cpu_seconds();
    double cores(double wall) const { return wall > 0 ? (cpu_seconds() - start) / wall : 0; }
};

void report(benchmark::State& state, const char* kind, double seconds, double mpix, double items,
            const CpuMeter& cpu) {
    state.counters["cores"] = cpu.cores(seconds);
    state.SetItemsProcessed(static_cast<std::int64_t>(items * state.iterations()));
    state.counters["MPix/s"] = benchmark::Counter(mpix * state.iterations(), benchmark::Counter::kIsRate);
    const double per_iter = seconds / static_cast<double>(state.iterations());
    if (auto it = g_baseline_seconds.find(kind); it != g_baseline_seconds.end() && per_iter > 0)
        state.counters["x_baseline"] = it->second / per_iter;
}

fs::path fresh_out(const std::string& name) {
    fs::path p = g_out / name;
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

void BM_BatchBaseline(benchmark::State& state) {
    const fs::path out = fresh_out("baseline");
    double seconds = 0, mpix = 0;
    const CpuMeter cpu;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        mpix = static_cast<double>(bench::baseline_batch(g_paths, out.string())) / 1e6;
        seconds += seconds_since(t0);
    }
    g_baseline_seconds["batch"] = seconds / static_cast<double>(state.iterations());
    report(state, "", seconds, mpix, g_images, cpu);
}

void BM_Batch(benchmark::State& state, Mode mode) {
    const unsigned workers = static_cast<unsigned>(state.range(0));
    image::Config cfg;
    cfg.ops = ops::parse_image_ops(chain);
    cfg.format = image::OutputFormat::png;
    cfg.workers = workers;
    cfg.output_dir = fresh_out(std::string(to_string(mode)) + "-" + std::to_string(workers)).string();
    const auto inputs = image::find_inputs(g_paths, cfg.output_dir, cfg.format);
    const auto plan = image::make_batch_plan(inputs, cfg);
    double seconds = 0, mpix = 0;
    const CpuMeter cpu;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = run(plan, RunOptions{.mode = mode, .workers = workers});
        seconds += seconds_since(t0);
        if (!r.failed.empty()) state.SkipWithError(r.failed.front().reason.c_str());
        mpix = static_cast<double>(r.input_pixels) / 1e6;
    }
    report(state, "batch", seconds, mpix, g_images, cpu);
}

void BM_TileBaseline(benchmark::State& state) {
    const cv::Mat img = ops::load_image(g_paths.front());
    double seconds = 0;
    const CpuMeter cpu;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(bench::baseline_gray_blur_sobel(img).data);
        seconds += seconds_since(t0);
    }
    g_baseline_seconds["tile"] = seconds / static_cast<double>(state.iterations());
    report(state, "", seconds, static_cast<double>(img.total()) / 1e6, 1, cpu);
}

void BM_Tile(benchmark::State& state, Mode mode) {
    const unsigned workers = static_cast<unsigned>(state.range(0));
    image::Config cfg;
    cfg.ops = ops::parse_image_ops(chain);
    cfg.workers = workers;
    const image::Input input{g_paths.front(), fs::path(g_paths.front()).filename().string()};
    const auto plan = image::make_tile_plan(input, cfg);  // decodes, outside the timing
    double seconds = 0, mpix = 0;
    const CpuMeter cpu;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = run(plan, RunOptions{.mode = mode, .workers = workers});
        seconds += seconds_since(t0);
        mpix = static_cast<double>(r.input_pixels) / 1e6;
    }
    report(state, "tile", seconds, mpix, static_cast<double>(plan.chunk_count), cpu);
}

void register_all() {
    const auto unit = benchmark::kMillisecond;
    benchmark::RegisterBenchmark("batch/baseline_opencv_threads", BM_BatchBaseline)->Unit(unit)->UseRealTime();
    for (Mode m : {Mode::seq, Mode::threads, Mode::processes, Mode::shm}) {
        auto* b = benchmark::RegisterBenchmark(("batch/" + std::string(to_string(m))).c_str(), BM_Batch, m);
        b->ArgName("workers")->Unit(unit)->UseRealTime();
        if (m == Mode::seq) b->Arg(1);
        else b->Arg(1)->Arg(2)->Arg(4);
    }
    // Tile runs take tens of milliseconds: several iterations each, whatever --benchmark_min_time says.
    const double tile_min_time = 0.5;
    benchmark::RegisterBenchmark("tile/baseline_opencv_threads", BM_TileBaseline)
        ->Unit(unit)
        ->UseRealTime()
        ->MinTime(tile_min_time);
    for (Mode m : {Mode::seq, Mode::threads, Mode::processes, Mode::shm}) {
        auto* b = benchmark::RegisterBenchmark(("tile/" + std::string(to_string(m))).c_str(), BM_Tile, m);
        b->ArgName("workers")->Unit(unit)->UseRealTime()->MinTime(tile_min_time);
        if (m == Mode::seq) b->Arg(1);
        else b->Arg(1)->Arg(2)->Arg(4);
    }
}

// Our own flags (--images=N, --size=PX), removed before Google Benchmark sees the rest.
void take_flags(int& argc, char** argv) {
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--images=", 9) == 0) g_images = std::max(1, std::atoi(argv[i] + 9));
        else if (std::strncmp(argv[i], "--size=", 7) == 0) g_size = std::max(16, std::atoi(argv[i] + 7));
        else argv[kept++] = argv[i];
    }
    argc = kept;
}

}  // namespace

int main(int argc, char** argv) {
    take_flags(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    const char* cache = std::getenv("PARAPIPE_BENCH_CACHE");
    const fs::path dir = cache && *cache ? cache : "/tmp/parapipe-bench-images";
    std::fprintf(stderr, "images: %d of %dx%d in %s (generated once)\n", g_images, g_size, g_size, dir.c_str());
    g_paths = bench::write_image_corpus(dir.string(), g_images, g_size, g_size, 42);
    g_out = fs::temp_directory_path() / ("parapipe-bench-image-out-" + std::to_string(::getpid()));
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    fs::remove_all(g_out);
    return 0;
}
