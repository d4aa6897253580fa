#include "cli/bench/builtin_workloads.hpp"

#include <unistd.h>

#include "cli/bench/corpus_cache.hpp"
#include "cli/bench/find_program.hpp"
#include "cli/bench/input_size.hpp"
#include "cli/bench/placeholders.hpp"
#include "cli/bench/python_baseline.hpp"
#include "cli/bench/units.hpp"
#include "cli/output_file.hpp"
#include <parapipe/engine/errors.hpp>
#if PARAPIPE_WITH_IMAGE  // parapipe-image only (cli/image_program.hpp)
#include <opencv2/core/utility.hpp>

#include <parapipe/operators/image/parse_ops.hpp>
#include <parapipe/pipelines/image.hpp>
#endif

namespace parapipe::cli::bench {

namespace {

std::vector<std::string> with_inputs(std::vector<std::string> argv, const std::vector<std::string>& inputs) {
    argv.insert(argv.end(), inputs.begin(), inputs.end());
    return argv;
}

// A row template: parapipe itself (no name: rows are named by {mode}) or a named baseline.
CommandSpec command(std::string baseline_name, std::vector<std::string> argv, std::vector<std::string> notes = {}) {
    CommandSpec c;
    c.name = std::move(baseline_name);
    c.baseline = !c.name.empty();
    c.argv = std::move(argv);
    c.notes = std::move(notes);
    return c;
}

#if PARAPIPE_WITH_IMAGE
// Outputs go to a folder made empty before every run: stale files would hide a missing one.
CommandSpec writing_to_folder(CommandSpec c, const std::string& folder) {
    c.output_path = folder;
    c.output_is_folder = true;
    return c;
}
#endif

}  // namespace

Workload wordcount_workload(const Settings& s, const std::string& scratch) {
    Workload w;
    w.name = "wordcount";
    w.work_unit = "bytes";
    w.rate_unit = "MiB/s";  // one family with the sizes (KiB, MiB) shown beside it
    w.inputs = s.inputs.empty() ? std::vector<std::string>{cached_text_corpus(s.cache_dir, s.size, s.seed, s.corpus)} : s.inputs;
    const InputSize size = input_size(w.inputs);
    w.work = static_cast<double>(size.bytes);
    if (w.work == 0) throw UsageError("the input is empty: nothing to measure");
    w.input_description = s.inputs.empty() ? "generated " + parapipe::bench::describe(s.corpus) + ", " +
                                                 format_bytes(w.work) + " (seed " +
                                                 std::to_string(s.seed) + ")"
                                           : describe_inputs(w.inputs, size);

    w.commands.push_back(command("", with_inputs({s.exe, "run", "wordcount", "--mode", kModeSlot, "--workers", kWorkersSlot,
                                                  "--chunk-size", kChunkSlot, "--progress", "never", "--"},
                                                 w.inputs)));
    if (!s.baselines) return w;
    w.commands.push_back(command("C++ baseline", with_inputs({s.exe, "bench-baseline", "wordcount", "--"}, w.inputs),
                                 {"C++ baseline: one thread, whole file read into memory, std::unordered_map<std::string, "
                                  "uint64_t>, same word definition (bench/wordcount/baseline.cpp)"}));
    const std::string python = find_program("python3");
    if (python.empty()) {
        w.notes.push_back("Python Pool baseline skipped: python3 is not on PATH");
        return w;
    }
    const std::string script = scratch + "/mp_wordcount.py";
    write_file_atomically(script, mp_wordcount_script());
    w.commands.push_back(
        command("Python Pool",
                with_inputs({python, script, "--workers", kWorkersSlot, "--chunk-size", kChunkSlot, "--"}, w.inputs),
                {"Python Pool: bench/baselines/mp_wordcount.py, multiprocessing.Pool over byte chunks, a Counter per "
                 "chunk merged in the parent; its time includes interpreter start-up"}));
    return w;
}

Workload startup_workload(const Settings& s, const std::string& scratch) {
    Workload w;
    w.name = "start-up";
    const std::string empty = scratch + "/empty.txt";
    write_file_atomically(empty, "");
    w.inputs = {empty};
    w.input_description = "`parapipe run wordcount` on an empty file (default mode and workers)";
    CommandSpec self = command("parapipe", {s.exe, "run", "wordcount", "--progress", "never", "--", empty});
    self.baseline = false;
    self.workers_unset = 0;
    w.commands.push_back(self);
    // The system interpreter itself: a launcher on PATH (pyenv's shim) would add its own start-up.
    const std::string python = ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : find_program("python3");
    if (python.empty()) {
        w.notes.push_back("python3 -c pass skipped: python3 is not on PATH");
        return w;
    }
    CommandSpec py = command("python3 -c pass", {python, "-c", "pass"},
                             {"python3 -c pass: " + python + ", the start-up of the Python interpreter alone, for scale"});
    py.workers_unset = 0;
    w.commands.push_back(py);
    return w;
}

#if PARAPIPE_WITH_IMAGE
Workload image_workload(const Settings& s, const std::string& scratch) {
    Workload w;
    w.name = "image";
    w.work_unit = "pixels";
    w.rate_unit = "MPix/s";
    ops::parse_image_ops(s.image_ops);  // a bad --ops fails now (UsageError), before any image is made
    if (s.inputs.empty()) {
        w.inputs = cached_image_corpus(s.cache_dir, s.image_count, s.image_width, s.image_height, s.seed);
        w.input_description = std::to_string(s.image_count) + " synthetic " + std::to_string(s.image_width) + "x" +
                              std::to_string(s.image_height) + " PNG images, ops " + s.image_ops;
    } else {
        w.inputs = s.inputs;
    }
    // Pixels from the headers, as the pipeline itself reads them.
    const auto found = image::find_inputs(w.inputs);
    for (const auto& in : found) {
        if (in.width == 0 || in.height == 0) throw UsageError("cannot read the size of " + in.path);
        w.work += static_cast<double>(in.width) * static_cast<double>(in.height);
    }
    if (!s.inputs.empty())
        w.input_description = std::to_string(found.size()) + " image(s), " + strprintf("%.1f MPix", w.work / 1e6) +
                              ", ops " + s.image_ops;

    const std::string out = scratch + "/image-out";
    w.commands.push_back(writing_to_folder(
        command("",
                with_inputs({s.exe, "run", "image", "--ops", s.image_ops, "--format", s.image_format, "--output", out, "--mode", kModeSlot, "--workers",
                             kWorkersSlot, "--progress", "never", "--"},
                            w.inputs),
                {"batch mode (one image per item); outputs compared byte for byte with seq's",
                 "seq lets OpenCV use its own threads inside each op; the other modes limit OpenCV to one thread per "
                 "worker"}),
        out));
    if (s.baselines)
        w.commands.push_back(writing_to_folder(
            command("OpenCV baseline",
                    with_inputs({s.exe, "bench-baseline", "image", "--ops", s.image_ops, "--format", s.image_format,
                                 "--output", out, "--"},
                                w.inputs),
                    {"OpenCV baseline: a plain loop (imread, the ops' OpenCV calls, imwrite), OpenCV limited to one "
                     "thread, none of parapipe's image code (bench/image/baseline.cpp)"}),
            out));
    return w;
}
#endif

}  // namespace parapipe::cli::bench
