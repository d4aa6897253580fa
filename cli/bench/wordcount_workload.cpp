#include "cli/bench/wordcount_workload.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/bench/corpus_cache.hpp"
#include "cli/bench/find_program.hpp"
#include "cli/bench/python_baseline.hpp"
#include "cli/bench/units.hpp"
#include "cli/command.hpp"
#include "cli/output_file.hpp"
#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

namespace {

namespace fs = std::filesystem;

// Every configuration of parapipe itself: per chunk size, seq once (it has one worker), the
// other modes at every worker count. The reference, seq at the first chunk size, comes first
// even when --modes leaves seq out.
std::vector<Config> mode_configs(const Settings& s) {
    std::vector<Config> out;
    const bool seq_asked = std::find(s.modes.begin(), s.modes.end(), Mode::seq) != s.modes.end();
    for (const auto& c : s.chunk_sizes) {
        const bool first = &c == &s.chunk_sizes.front();
        if (seq_asked || first) out.push_back({"seq", false, 1, c.bytes, c.text});
        for (Mode m : s.modes) {
            if (m == Mode::seq) continue;
            for (unsigned w : s.workers) out.push_back({std::string(to_string(m)), false, w, c.bytes, c.text});
        }
    }
    return out;
}

std::uint64_t input_bytes(const std::vector<std::string>& paths, std::size_t* files) {
    std::uint64_t total = 0;
    *files = 0;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(p, ec))
                if (e.is_regular_file()) total += e.file_size(), ++*files;
        } else if (fs::is_regular_file(p, ec)) {
            total += fs::file_size(p), ++*files;
        } else {
            throw UsageError("--input " + p + ": no such file or folder (or not a regular file)");
        }
    }
    return total;
}

bool python_available() { return !find_program("python3").empty(); }

}  // namespace

unsigned wordcount_run_count(const Settings& s) {
    std::size_t configs = mode_configs(s).size();
    if (s.baselines) configs += 1 + (python_available() ? s.workers.size() : 0);
    return static_cast<unsigned>(configs) * (s.warmup + s.repeat);
}

void prepare_wordcount_input(const Settings& s, WorkloadReport& w) {
    w.workload = "wordcount";
    w.rate_unit = "MB/s";
    if (s.inputs.empty()) {
        const std::string path = text_corpus_path(s.cache_dir, s.size, s.seed);
        if (!std::filesystem::exists(path))
            std::fprintf(stderr, "parapipe bench: generating %s of text into %s (once; later runs reuse it)\n",
                         format_bytes(static_cast<double>(s.size)).c_str(), path.c_str());
        ensure_text_corpus(path, s.size, s.seed);
        w.inputs = {path};
    } else {
        w.inputs = s.inputs;
    }
    std::size_t files = 0;
    w.work = static_cast<double>(input_bytes(w.inputs, &files));
    if (w.work == 0) throw UsageError("the input is empty: nothing to measure");
    if (s.inputs.empty())
        w.input_description = "generated text, " + format_bytes(w.work) + " (seed " + std::to_string(s.seed) + ")";
    else
        w.input_description = format_bytes(w.work) + " in " + std::to_string(files) + (files == 1 ? " file" : " files") +
                              " (" + fs::path(w.inputs.front()).filename().string() + (w.inputs.size() > 1 ? ", ..." : "") + ")";
}

void bench_wordcount(const Settings& s, Runner& runner, WorkloadReport& w) {
    const std::string out = runner.stdout_path();
    for (const Config& c : mode_configs(s)) {
        std::vector<std::string> argv = {s.exe, "run", "wordcount", "--mode", c.name, "--workers", std::to_string(c.workers),
                                         "--chunk-size", std::to_string(c.chunk_bytes), "--progress", "never", "--"};
        argv.insert(argv.end(), w.inputs.begin(), w.inputs.end());
        w.rows.push_back(runner.measure(c, argv));
    }
    w.reference_index = 0;
    w.reference = describe(w.rows.front().config);
    if (std::find(s.modes.begin(), s.modes.end(), Mode::seq) == s.modes.end())
        w.notes.push_back("seq was added: it is the reference every result is compared with");

    if (s.baselines) {
        std::vector<std::string> argv = {s.exe, "bench-baseline", "wordcount", "--"};
        argv.insert(argv.end(), w.inputs.begin(), w.inputs.end());
        w.rows.push_back(runner.measure({"C++ baseline", true, 1, 0, "-"}, argv));
        w.notes.push_back("C++ baseline: one thread, whole file read into memory, std::unordered_map<std::string, "
                          "uint64_t>, same word definition (bench/wordcount/baseline.cpp)");
        const std::string python = find_program("python3");
        if (python.empty()) {
            w.notes.push_back("Python Pool baseline skipped: python3 is not on PATH");
        } else {
            const std::string script = s.work_dir + "/mp_wordcount.py";
            write_file_atomically(script, mp_wordcount_script());
            const ChunkSize& chunk = s.chunk_sizes.front();
            for (unsigned workers : s.workers) {
                std::vector<std::string> py = {python, script, "--workers", std::to_string(workers), "--chunk-size",
                                               std::to_string(chunk.bytes), "--"};
                py.insert(py.end(), w.inputs.begin(), w.inputs.end());
                w.rows.push_back(runner.measure({"Python Pool", true, workers, chunk.bytes, chunk.text}, py));
            }
            w.notes.push_back("Python Pool: bench/baselines/mp_wordcount.py, multiprocessing.Pool over byte chunks, a "
                              "Counter per chunk merged in the parent; its time includes interpreter start-up");
        }
    }
    compare_with_reference(w, w.reference_index, 1e6);
}

}  // namespace parapipe::cli::bench
