#include "cli/bench/image_workload.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <opencv2/core/utility.hpp>

#include "bench/corpus/image_corpus.hpp"
#include "cli/bench/units.hpp"
#include "cli/command.hpp"
#include <parapipe/engine/errors.hpp>
#include <parapipe/operators/image/parse_ops.hpp>
#include <parapipe/pipelines/image.hpp>

namespace parapipe::cli::bench {

namespace {

namespace fs = std::filesystem;

// Batch mode over the images: seq once (the reference), every other mode at every worker count.
std::vector<Config> mode_configs(const Settings& s) {
    std::vector<Config> out{{"seq", false, 1, 0, "-"}};
    for (Mode m : s.modes) {
        if (m == Mode::seq) continue;
        for (unsigned w : s.workers) out.push_back({std::string(to_string(m)), false, w, 0, "-"});
    }
    return out;
}

// Outputs of a run go to a fresh folder: stale files from a previous run would hide a missing one.
std::function<void()> emptied(const std::string& dir) {
    return [dir] {
        std::error_code ec;
        fs::remove_all(dir, ec);
        fs::create_directories(dir);
    };
}

}  // namespace

unsigned image_run_count(const Settings& s) {
    return static_cast<unsigned>(mode_configs(s).size() + (s.baselines ? 1 : 0)) * (s.warmup + s.repeat);
}

void prepare_image_input(const Settings& s, WorkloadReport& w) {
    w.workload = "image";
    w.rate_unit = "MPix/s";
    ops::parse_image_ops(s.image_ops);  // a bad --ops fails now (UsageError), before any image is made
    if (s.inputs.empty()) {
        const std::string dir = (fs::path(s.cache_dir) / ("images-" + std::to_string(s.image_width) + "x" +
                                                          std::to_string(s.image_height) + "-seed" + std::to_string(s.seed)))
                                    .string();
        auto count_files = [&] {
            std::error_code ec;
            std::size_t n = 0;
            for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
            return n;
        };
        const std::size_t before = count_files();
        const bool tty = ::isatty(STDERR_FILENO) == 1;
        if (tty) std::fprintf(stderr, "parapipe bench: preparing synthetic images in %s...", dir.c_str());
        auto files = parapipe::bench::write_image_corpus(dir, s.image_count, s.image_width, s.image_height, s.seed);
        if (tty) std::fprintf(stderr, "\r\033[K");
        if (const std::size_t after = count_files(); after > before)
            std::fprintf(stderr, "parapipe bench: generated %zu synthetic %dx%d images in %s (reused by later runs)\n",
                         after - before, s.image_width, s.image_height, dir.c_str());
        w.inputs = files;  // exactly these, even when the folder holds more from an earlier --images
        w.input_description = std::to_string(s.image_count) + " synthetic " + std::to_string(s.image_width) + "x" +
                              std::to_string(s.image_height) + " PNG images, ops " + s.image_ops;
    } else {
        w.inputs = s.inputs;
    }
    // Pixels from the headers, as the pipeline itself reads them.
    auto found = image::find_inputs(w.inputs);
    double pixels = 0;
    for (const auto& in : found) {
        if (in.width == 0 || in.height == 0) throw UsageError("cannot read the size of " + in.path);
        pixels += static_cast<double>(in.width) * static_cast<double>(in.height);
    }
    w.work = pixels;
    if (!s.inputs.empty())
        w.input_description = std::to_string(found.size()) + " image(s), " + strprintf("%.1f MPix", pixels / 1e6) +
                              ", ops " + s.image_ops;
}

void bench_image(const Settings& s, Runner& runner, WorkloadReport& w) {
    const std::string out_dir = s.work_dir + "/image-out";
    for (const Config& c : mode_configs(s)) {
        std::vector<std::string> argv = {s.exe, "run", "image", "--ops", s.image_ops, "--output", out_dir,
                                         "--mode", c.name, "--workers", std::to_string(c.workers), "--progress",
                                         "never", "--"};
        argv.insert(argv.end(), w.inputs.begin(), w.inputs.end());
        w.rows.push_back(runner.measure(c, argv, out_dir, emptied(out_dir)));
    }
    w.reference_index = 0;
    w.reference = describe(w.rows.front().config);
    w.notes.push_back("batch mode (one image per item); outputs compared byte for byte with seq's");
    w.notes.push_back("seq lets OpenCV use its own threads inside each op; the other modes limit OpenCV to one thread "
                      "per worker");
    if (s.baselines) {
        std::vector<std::string> argv = {s.exe, "bench-baseline", "image", "--ops", s.image_ops, "--output", out_dir, "--"};
        argv.insert(argv.end(), w.inputs.begin(), w.inputs.end());
        w.rows.push_back(runner.measure({"OpenCV baseline", true, 1, 0, "-"}, argv, out_dir, emptied(out_dir)));
        w.notes.push_back("OpenCV baseline: one loop (read, ops, write) with OpenCV's own threading (" +
                          std::to_string(cv::getNumThreads()) + " threads)");
    }
    compare_with_reference(w, w.reference_index, 1e6);
}

}  // namespace parapipe::cli::bench
