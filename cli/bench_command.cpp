// `parapipe bench`: the macro-level benchmark. Runs `parapipe run PIPELINE` in every requested
// mode, worker count and chunk size (and, with --baselines, the reference programs) as child
// processes on one input, prints a table, checks every output against seq, and writes JSON,
// CSV and a chart on request. The micro level (single stages) is bench/micro (Google Benchmark).
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "cli/bench/baseline_command.hpp"
#include "cli/bench/bench_progress.hpp"
#include "cli/bench/child_run.hpp"
#include "cli/bench/corpus_cache.hpp"
#include "cli/bench/image_workload.hpp"
#include "cli/bench/report.hpp"
#include "cli/bench/report_files.hpp"
#include "cli/bench/runner.hpp"
#include "cli/bench/settings.hpp"
#include "cli/bench/svg_chart.hpp"
#include "cli/bench/table.hpp"
#include "cli/bench/wordcount_workload.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output_file.hpp"
#include <parapipe/engine/errors.hpp>
#include "cli/size.hpp"

#ifndef PARAPIPE_VERSION
#define PARAPIPE_VERSION "0.0.0"
#endif

namespace parapipe::cli {

namespace {

using namespace parapipe::cli::bench;

struct BenchArgs {
    std::string workload = "wordcount";
    std::vector<std::string> modes = {"seq", "threads", "processes", "shm"};
    std::vector<unsigned> workers;  // empty: 1, 2, 4, ... up to the core count
    std::vector<std::string> chunk_sizes = {"8MiB"};
    std::vector<std::string> inputs;
    std::string size = "256MiB";
    std::uint64_t seed = 42;
    int images = 8;
    std::string image_size = "4096x4096";
    std::string ops = "grayscale,blur:5,sobel";
    unsigned repeat = 3;
    unsigned warmup = 1;
    std::string json, csv, plot, cache_dir;
    bool baselines = false;
};

// 1, 2, 4, ... and the core count itself: the scaling curve without a run per core count.
std::vector<unsigned> default_worker_counts() {
    std::vector<unsigned> out;
    const unsigned cores = default_workers();
    for (unsigned w = 1; w < cores; w *= 2) out.push_back(w);
    out.push_back(cores);
    return out;
}

template <class T>
std::vector<T> distinct(const std::vector<T>& in) {
    std::vector<T> out;
    for (const auto& v : in)
        if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    return out;
}

Settings resolve(const BenchArgs& a) {
    Settings s;
    if (a.modes.empty()) throw UsageError("--modes needs at least one mode");
    for (const auto& name : distinct(a.modes)) {
        auto m = parse_mode(name);
        if (!m) throw UsageError("unknown mode '" + name + "' in --modes (choose seq, threads, processes or shm)");
        s.modes.push_back(*m);
    }
    s.workers = distinct(a.workers.empty() ? default_worker_counts() : a.workers);
    for (unsigned w : s.workers)
        if (w == 0) throw UsageError("--workers: every worker count must be at least 1");
    for (const auto& text : distinct(a.chunk_sizes)) {
        std::size_t bytes = parse_size(text);  // throws UsageError naming the text
        s.chunk_sizes.push_back({bytes, text});
    }
    if (s.chunk_sizes.empty()) throw UsageError("--chunk-size needs at least one size");
    s.size = parse_size(a.size);
    if (a.repeat == 0) throw UsageError("--repeat must be at least 1");
    s.repeat = a.repeat;
    s.warmup = a.warmup;
    s.seed = a.seed;
    if (a.images < 1) throw UsageError("--images must be at least 1");
    s.image_count = a.images;
    {
        int w = 0, h = 0;
        char tail = 0;
        if (std::sscanf(a.image_size.c_str(), "%dx%d%c", &w, &h, &tail) != 2 || w < 1 || h < 1 || w > 65535 || h > 65535)
            throw UsageError("bad --image-size '" + a.image_size + "' (WIDTHxHEIGHT, e.g. 4096x4096)");
        s.image_width = w, s.image_height = h;
    }
    s.image_ops = a.ops;
    s.baselines = a.baselines;
    s.inputs = a.inputs;
    if (!s.inputs.empty() && a.workload == "all")
        throw UsageError("--input needs one workload (wordcount or image), not all");
    if (s.inputs.empty()) s.cache_dir = cache_dir(a.cache_dir);
    s.exe = self_exe();
    return s;
}

// The command line as typed (program name without its folder), from /proc/self/cmdline.
std::vector<std::string> command_line() {
    std::ifstream f("/proc/self/cmdline", std::ios::binary);
    std::vector<std::string> args;
    for (std::string a; std::getline(f, a, '\0');) args.push_back(a);
    if (!args.empty()) args.front() = std::filesystem::path(args.front()).filename().string();
    return args;
}

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// The scratch folder for outputs of runs; removed however the benchmark ends.
class ScratchDir {
public:
    ScratchDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "parapipe-bench-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw Error("cannot create a scratch folder in " + tmpl);
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

int run_bench(const BenchArgs& a) {
    Settings s = resolve(a);
    const bool want_words = a.workload == "wordcount" || a.workload == "all";
    const bool want_images = a.workload == "image" || a.workload == "all";

    // Unwritable outputs and a missing PNG renderer fail now, not after minutes of measuring.
    std::optional<OutputFile> json, csv;
    if (!a.json.empty()) json.emplace(a.json);
    if (!a.csv.empty()) csv.emplace(a.csv);
    if (!a.plot.empty()) {
        if (plot_wants_png(a.plot)) check_png_renderer();
        OutputFile probe(a.plot);  // removed unwritten: write_chart writes the real one
    }

    ScratchDir scratch;
    s.work_dir = scratch.path();
    Report report;
    report.command = command_line();
    report.machine = read_machine();
    report.version = PARAPIPE_VERSION;
    report.date = utc_now();
    report.repeat = s.repeat;
    report.warmup = s.warmup;

    WorkloadReport words, images;
    unsigned runs = 0;
    if (want_words) {
        prepare_wordcount_input(s, words);
        runs += wordcount_run_count(s);
    }
    if (want_images) {
        prepare_image_input(s, images);
        runs += image_run_count(s);
    }
    if (g_cancel.load() != 0) throw Interrupted(g_cancel.load());

    {
        BenchProgress progress(runs);
        Runner runner(s.work_dir, s.warmup, s.repeat, progress);
        if (want_words) {
            const CpuSample before = sample_cpu();
            bench_wordcount(s, runner, words);
            words.other_load = other_load(before, sample_cpu());
            report.workloads.push_back(std::move(words));
        }
        if (want_images) {
            const CpuSample before = sample_cpu();
            bench_image(s, runner, images);
            images.other_load = other_load(before, sample_cpu());
            report.workloads.push_back(std::move(images));
        }
    }

    for (std::size_t i = 0; i < report.workloads.size(); ++i) {
        if (i > 0) std::fputs("\n", stdout);
        std::fputs(format_table(report, report.workloads[i]).c_str(), stdout);
    }
    std::fflush(stdout);
    if (json) json->commit(to_json(report));
    if (csv) csv->commit(to_csv(report));
    if (!a.plot.empty()) write_chart(report, a.plot);

    if (!all_match(report)) {
        std::fprintf(stderr, "parapipe: bench: some configurations produced output different from seq (see the table)\n");
        return exit_failed;
    }
    return exit_ok;
}

}  // namespace

void add_bench_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<BenchArgs>();
    auto* cmd = app.add_subcommand(
        "bench", "Measure pipelines in every mode and worker count (wall time, throughput, memory; outputs checked)");
    cmd->footer(
        "Each configuration runs as a child `parapipe run ...` process: once to warm up, then --repeat times.\n"
        "The table shows the median wall time, throughput, speedup over seq with 1 worker, the largest\n"
        "process's peak RSS, the run's summed peak PSS (sampled in the warm-up run), and whether its output\n"
        "equals seq's (exit 1 if not).\n"
        "Without --input, a deterministic input is generated once into the cache folder and reused:\n"
        "wordcount: --size of Zipf-distributed text; image: --images PNGs of --image-size (batch mode).\n"
        "Examples: parapipe bench wordcount --size 256MiB --workers 1,2 --baselines --plot bench.svg\n"
        "          parapipe bench all --json bench.json --plot bench.png");
    cmd->add_option("workload", args->workload, "What to measure: wordcount, image or all")
        ->check(CLI::IsMember({"wordcount", "image", "all"}))
        ->capture_default_str();
    cmd->add_option("--modes", args->modes, "Modes to measure, comma-separated (seq is always measured: the reference)")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--workers,-w", args->workers, "Worker counts, comma-separated (default: 1, 2, 4, ... up to the cores)")
        ->delimiter(',');
    cmd->add_option("--chunk-size,-c", args->chunk_sizes, "wordcount: chunk sizes, comma-separated, e.g. 1MiB,8MiB")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--input,-i", args->inputs, "Measure on these files or folders instead of a generated corpus");
    cmd->add_option("--size,-s", args->size, "wordcount: size of the generated text, e.g. 256KiB, 256MiB, 1GiB")
        ->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed of the generated corpus")->capture_default_str();
    cmd->add_option("--images", args->images, "image: how many synthetic images to generate")->capture_default_str();
    cmd->add_option("--image-size", args->image_size, "image: size of the synthetic images, WIDTHxHEIGHT")
        ->capture_default_str();
    cmd->add_option("--ops", args->ops, "image: the op chain measured (see `parapipe run image --help`)")
        ->capture_default_str();
    cmd->add_option("--repeat,-r", args->repeat, "Measured runs per configuration (the median is shown)")
        ->capture_default_str();
    cmd->add_option("--warmup", args->warmup, "Untimed runs before those (peak PSS is sampled in these)")->capture_default_str();
    cmd->add_option("--json", args->json, "Write every figure, every repeat, to FILE as JSON");
    cmd->add_option("--csv", args->csv, "Write one line per configuration to FILE as CSV");
    cmd->add_option("--plot", args->plot, "Write a bar chart to FILE.svg, or FILE.png (needs rsvg-convert)");
    cmd->add_flag("--baselines", args->baselines,
                  "Also measure the plain C++ word count and the Python multiprocessing.Pool script");
    cmd->add_option("--cache-dir", args->cache_dir,
                    "Folder for generated inputs (default: $XDG_CACHE_HOME/parapipe or ~/.cache/parapipe)");
    cmd->callback([args, &action] { action = [args] { return run_bench(*args); }; });

    bench::add_baseline_command(app, action);
}

}  // namespace parapipe::cli
