// `parapipe bench`: the macro-level benchmark. Runs a command as a child process in every
// requested mode, worker count and chunk size, prints a table, checks every output against seq,
// and writes JSON, CSV and a chart on request. `bench exec -- CMD ...` measures any command with
// {mode}/{workers}/{chunk} placeholders; `bench wordcount|image|all` measure `parapipe run ...`
// (and, with --baselines, the reference programs) the same way (cli/bench/builtin_workloads.hpp).
// The micro level (single stages) is bench/micro (Google Benchmark).
#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/bench/baseline_command.hpp"
#include "cli/bench/builtin_workloads.hpp"
#include "cli/bench/child_run.hpp"
#include "cli/bench/corpus_cache.hpp"
#include "cli/bench/exec_workload.hpp"
#include "cli/bench/session.hpp"
#include "cli/bench/settings.hpp"
#include "cli/command.hpp"
#include "cli/image_program.hpp"
#include <parapipe/engine/errors.hpp>
#include "cli/size.hpp"

namespace parapipe::cli {

namespace {

using namespace parapipe::cli::bench;

struct BenchArgs {
    std::string workload = "wordcount";
    std::vector<std::string> modes = {"seq", "threads", "processes", "shm"};
    std::vector<unsigned> workers;  // empty: 1, 2, 4, ... up to the core count
    std::vector<std::string> chunk_sizes = {"auto"};
    std::vector<std::string> inputs;
    std::string size = "256MiB";
    std::uint64_t seed = 42;
    std::string corpus = "mixed";
    int images = 8;
    std::string image_size = "4096x4096";
    std::string ops = "grayscale,blur:5,sobel";
    std::string image_format = "same";
    unsigned repeat = 3;
    unsigned warmup = 1;
    std::string json, csv, plot, cache_dir;
    bool baselines = false;
    ExecArgs exec;
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

// What every bench command shares: the rows to run, the repeats, the report files.
Settings resolve_common(const BenchArgs& a) {
    Settings s;
    if (a.modes.empty()) throw UsageError("--modes needs at least one mode");
    for (const auto& name : distinct(a.modes)) {
        auto m = parse_mode(name);
        if (!m) throw UsageError("unknown mode '" + name + "' in --modes (choose seq, threads, processes, shm or mpi)");
        s.modes.push_back(*m);
    }
    s.workers = distinct(a.workers.empty() ? default_worker_counts() : a.workers);
    for (unsigned w : s.workers)
        if (w == 0) throw UsageError("--workers: every worker count must be at least 1");
    for (const auto& text : distinct(a.chunk_sizes)) {
        // auto: per row, as `parapipe run` picks it (engine/chunk_size.hpp); plan.cpp fills it in.
        std::size_t bytes = text == "auto" ? 0 : parse_size(text);  // throws UsageError naming the text
        s.chunk_sizes.push_back({bytes, text});
    }
    if (s.chunk_sizes.empty()) throw UsageError("--chunk-size needs at least one size");
    if (a.repeat == 0) throw UsageError("--repeat must be at least 1");
    s.repeat = a.repeat;
    s.warmup = a.warmup;
    s.json = a.json, s.csv = a.csv, s.plot = a.plot;
    return s;
}

// The built-in workloads' inputs: generated (size, seed, images) or the user's --input.
Settings resolve_builtin(const BenchArgs& a) {
    Settings s = resolve_common(a);
    s.size = parse_size(a.size);
    s.seed = a.seed;
    s.corpus = *parapipe::bench::parse_text_kind(a.corpus);  // CLI11 checked the name
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
    s.image_format = a.image_format;
    s.baselines = a.baselines;
    s.inputs = a.inputs;
    if (!s.inputs.empty() && a.workload == "all")
        throw UsageError("--input needs one workload (wordcount or image), not all");
    if (s.inputs.empty()) s.cache_dir = cache_dir(a.cache_dir);
    // parapipe-image runs its rows with the light parapipe where they need no images.
    s.exe = PARAPIPE_WITH_IMAGE ? light_exe() : self_exe();
    return s;
}

int run_builtin(const BenchArgs& a) {
    const bool words = a.workload == "wordcount" || a.workload == "all";
    const bool images = a.workload == "image" || a.workload == "all";
#if !PARAPIPE_WITH_IMAGE
    if (images) return exec_image_program();  // cli/image_program.hpp
#endif
    const Settings s = resolve_builtin(a);
    return run_session(s, [&](const std::string& scratch) {
        std::vector<Workload> out;
        if (words) out.push_back(wordcount_workload(s, scratch));
        if (words) out.push_back(startup_workload(s, scratch));
#if PARAPIPE_WITH_IMAGE
        if (images) out.push_back(image_workload(s, scratch));
#endif
        return out;
    });
}

int run_exec(const BenchArgs& a) {
    const Settings s = resolve_common(a);
    Workload w = exec_workload(a.exec);
    OutputPathGuard output(a.exec.output_path);
    w.commands.front().output_is_folder = output.folder();
    return run_session(s, [&](const std::string&) { return std::vector<Workload>{w}; });
}

// `--` is required: without it, the command's own options would be read as bench's.
void check_exec_line(const std::vector<std::string>& leftover) {
    const auto mark = std::find(leftover.begin(), leftover.end(), "--");
    if (mark == leftover.end())
        throw UsageError("bench exec: put `--` before the command (parapipe bench exec [OPTIONS] -- CMD ARGS...)");
    if (mark != leftover.begin())
        throw UsageError("bench exec: unknown option " + leftover.front() + " before `--` (see --help)");
}

// `exec` takes one argument per list option (comma-separated): CLI11 lets an open-ended list
// swallow a following `--`, which would then leave the command's own options to bench.
void add_run_options(CLI::App* cmd, BenchArgs& a, bool one_argument_lists) {
    const bool open = !one_argument_lists;
    cmd->add_option("--modes", a.modes, "Modes to measure, comma-separated (seq is always measured: the reference)")
        ->delimiter(',')
        ->allow_extra_args(open)
        ->capture_default_str();
    cmd->add_option("--workers,-w", a.workers, "Worker counts, comma-separated (default: 1, 2, 4, ... up to the cores)")
        ->delimiter(',')
        ->allow_extra_args(open);
    cmd->add_option("--chunk-size,-c", a.chunk_sizes, "Chunk sizes, comma-separated, e.g. 1MiB,8MiB; auto: as `run` picks it per worker count (wordcount; exec: {chunk}, in bytes)")
        ->delimiter(',')
        ->allow_extra_args(open)
        ->capture_default_str();
    cmd->add_option("--repeat,-r", a.repeat, "Measured runs per configuration (the median is shown)")
        ->capture_default_str();
    cmd->add_option("--warmup", a.warmup, "Untimed runs before those (peak PSS is sampled in these)")->capture_default_str();
    cmd->add_option("--json", a.json, "Write every figure, every repeat, to FILE as JSON");
    cmd->add_option("--csv", a.csv, "Write one line per configuration to FILE as CSV");
    cmd->add_option("--plot", a.plot, "Write a bar chart to FILE.svg, or FILE.png (needs rsvg-convert)");
}

void add_exec_command(CLI::App& bench, BenchArgs& a, Action& action, std::shared_ptr<BenchArgs> keep) {
    auto* cmd = bench.add_subcommand("exec", "Measure any command in every mode and worker count: bench exec -- CMD ARGS...");
    cmd->footer(
        "CMD's arguments may hold {mode} (seq, threads, processes, shm), {workers} and {chunk} (bytes),\n"
        "also inside a longer argument (--mode={mode}). seq runs once with 1 worker: the reference; every\n"
        "other row's output (stdout, or --output-path) must equal it, else exit 1. A command without {mode}\n"
        "runs once (or per worker count with {workers}) against its first row.\n"
        "Example: parapipe bench exec --workers 1,2 -- build/examples/log_status --mode {mode} --workers {workers} logs/");
    add_run_options(cmd, a, true);
    cmd->add_option("--output-path", a.exec.output_path,
                    "The file or folder CMD writes, compared instead of stdout (must not exist, or be an empty folder)");
    cmd->add_option("--work", a.exec.work, "Bytes CMD processes per run, e.g. 256MiB: adds a MB/s column");
    cmd->add_option("--input,-i", a.exec.inputs, "A file or folder CMD reads (repeatable): their size adds a MB/s column")
        ->allow_extra_args(false);
    cmd->add_option("command", a.exec.command, "The command and its arguments, after --");
    cmd->allow_extras();  // so that a missing `--` gets its own message (check_exec_line)
    cmd->callback([cmd, keep, &action] {
        const std::vector<std::string> leftover = cmd->remaining();
        std::string builtin_only;  // an option of the built-in workloads, given before `exec`
        for (const char* name : {"workload", "--input", "--size", "--seed", "--corpus", "--images", "--image-size", "--ops", "--format",
                                 "--baselines", "--cache-dir"})
            if (builtin_only.empty() && cmd->get_parent()->count(name) > 0) builtin_only = name;
        action = [keep, leftover, builtin_only] {
            if (!builtin_only.empty())
                throw UsageError("bench exec: " + builtin_only + " is for the built-in workloads (see bench exec --help)");
            check_exec_line(leftover);
            return run_exec(*keep);
        };
    });
}

}  // namespace

void add_bench_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<BenchArgs>();
    auto* cmd = app.add_subcommand(
        "bench", "Measure pipelines in every mode and worker count (wall time, throughput, memory; outputs checked)");
    cmd->footer(
        "Each configuration runs as a child `parapipe run ...` process: once to warm up, then --repeat times,\n"
        "in rounds (every configuration's first run, then every second run, ...) so that a machine whose\n"
        "speed drifts slows every configuration alike.\n"
        "The table shows the median wall time, throughput, speedup over seq with 1 worker, the largest\n"
        "process's peak RSS, the run's summed peak PSS (sampled in the warm-up run), and whether its output\n"
        "equals seq's (exit 1 if not).\n"
        "Without --input, a deterministic input is generated once into the cache folder and reused:\n"
        "wordcount: --size of Zipf-distributed text; image: --images PNGs of --image-size (batch mode).\n"
        "Your own pipeline: parapipe bench exec -- CMD ARGS... (see bench exec --help).\n"
        "Examples: parapipe bench wordcount --size 256MiB --workers 1,2 --baselines --plot bench.svg\n"
        "          parapipe bench all --json bench.json --plot bench.png");
    cmd->add_option("workload", args->workload, "What to measure: wordcount, image or all")
        ->check(CLI::IsMember({"wordcount", "image", "all"}))
        ->capture_default_str();
    add_run_options(cmd, *args, false);
    cmd->add_option("--input,-i", args->inputs, "Measure on these files or folders instead of a generated corpus");
    cmd->add_option("--size,-s", args->size, "wordcount: size of the generated text, e.g. 256KiB, 256MiB, 1GiB")
        ->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed of the generated corpus")->capture_default_str();
    cmd->add_option("--corpus", args->corpus,
                    "wordcount: kind of generated text: mixed (mostly ASCII, 5% other scripts), ascii, cyrillic "
                    "(mostly Cyrillic), cjk (mostly CJK ideographs) or distinct (every word once)")
        ->check(CLI::IsMember({"mixed", "ascii", "cyrillic", "cjk", "distinct"}))
        ->capture_default_str();
    cmd->add_option("--images", args->images, "image: how many synthetic images to generate")->capture_default_str();
    cmd->add_option("--image-size", args->image_size, "image: size of the synthetic images, WIDTHxHEIGHT")
        ->capture_default_str();
    cmd->add_option("--format", args->image_format, "image: output format, as `run image --format`")
        ->check(CLI::IsMember({"same", "png", "jpg", "webp"}))
        ->capture_default_str();
    cmd->add_option("--ops", args->ops, "image: the op chain measured (see `parapipe run image --help`)")
        ->capture_default_str();
    cmd->add_flag("--baselines", args->baselines,
                  "Also measure the plain C++ word count and the Python multiprocessing.Pool script");
    cmd->add_option("--cache-dir", args->cache_dir,
                    "Folder for generated inputs (default: $XDG_CACHE_HOME/parapipe or ~/.cache/parapipe)");
    add_exec_command(*cmd, *args, action, args);
    cmd->callback([cmd, args, &action] {
        if (cmd->got_subcommand("exec")) return;  // its own callback, which ran first, chose the action
        action = [args] { return run_builtin(*args); };
    });

    bench::add_baseline_command(app, action);
}

}  // namespace parapipe::cli
