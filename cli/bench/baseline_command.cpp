#include "cli/bench/baseline_command.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "bench/wordcount/baseline.hpp"
#include "cli/image_program.hpp"
#if PARAPIPE_WITH_IMAGE  // parapipe-image only (cli/image_program.hpp)
#include <opencv2/core/utility.hpp>

#include "bench/image/baseline.hpp"
#include <parapipe/operators/image/parse_ops.hpp>
#include <parapipe/pipelines/image.hpp>
#endif
#include "cli/exit_codes.hpp"
#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

namespace {

namespace fs = std::filesystem;

// Files in the order TextSource reads them: each path, folders walked recursively and sorted.
std::vector<std::string> expand(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<std::string> found;
            for (const auto& e : fs::recursive_directory_iterator(p, ec))
                if (e.is_regular_file()) found.push_back(e.path().string());
            std::sort(found.begin(), found.end());
            out.insert(out.end(), found.begin(), found.end());
        } else if (fs::exists(p, ec)) {
            out.push_back(p);
        } else {
            throw UsageError("no such file: " + p);
        }
    }
    return out;
}

int run_baseline(const std::vector<std::string>& paths) {
    parapipe::bench::BaselineCounts total;
    for (const auto& path : expand(paths)) {
        // What a plain program does: read the whole file into one string (sized once), then count.
        std::ifstream f(path, std::ios::binary);
        if (!f) throw UsageError("cannot read " + path);
        std::string text(fs::file_size(path), '\0');
        if (!f.read(text.data(), static_cast<std::streamsize>(text.size()))) throw Error("cannot read " + path);
        auto counts = parapipe::bench::wordcount_baseline(text);
        if (total.empty()) total = std::move(counts);
        else
            for (auto& [w, n] : counts) total[w] += n;
    }
    std::vector<std::pair<std::string, std::uint64_t>> rows(total.begin(), total.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    std::string out;
    for (const auto& [w, n] : rows) out += w + '\t' + std::to_string(n) + '\n';
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0)
        throw Error("cannot write to standard output");
    return exit_ok;
}

#if PARAPIPE_WITH_IMAGE
// The plain image loop (bench/image/baseline.cpp): one image after another, OpenCV limited to one
// thread, none of parapipe's image code. Only the output names come from the pipeline, so that
// bench can compare the files byte for byte with seq's.
int run_image_baseline(const std::vector<std::string>& paths, const std::string& ops_text, const std::string& format,
                       const std::string& out) {
    const auto chain = ops::parse_image_ops(ops_text);  // a bad chain is refused as `run image` refuses it
    cv::setNumThreads(1);
    image::Config cfg;
    cfg.output_dir = out;
    cfg.format = image::parse_output_format(format).value_or(image::OutputFormat::same);
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& in : image::find_inputs(paths, out, cfg.format, {}, chain)) {
        files.emplace_back(in.path, image::output_path(in, cfg));
        fs::create_directories(fs::path(files.back().second).parent_path());
    }
    try {
        parapipe::bench::baseline_loop(files, ops::to_string(chain));
    } catch (const std::runtime_error& e) {
        throw Error(std::string("OpenCV baseline: ") + e.what());
    }
    return exit_ok;
}

struct ImageBaselineArgs {
    std::vector<std::string> paths;
    std::string ops, format = "same", output;
};
#endif

}  // namespace

void add_baseline_command(CLI::App& app, Action& action) {
    auto paths = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("bench-baseline", "Plain single-threaded C++ word count (used by bench)");
    cmd->group("");  // internal: `parapipe bench --baselines` runs it; --help does not list it
    auto* wc = cmd->add_subcommand("wordcount", "std::unordered_map word count of files, TSV to stdout");
    wc->add_option("paths", *paths, "Files or folders")->required();
    cmd->require_subcommand(1);
    wc->callback([paths, &action] { action = [paths] { return run_baseline(*paths); }; });

#if PARAPIPE_WITH_IMAGE
    auto img = std::make_shared<ImageBaselineArgs>();
    auto* im = cmd->add_subcommand("image", "Plain OpenCV loop over images, one thread (bench/image/baseline.cpp)");
    im->add_option("paths", img->paths, "Image files or folders")->required();
    im->add_option("--ops", img->ops, "Op chain")->required();
    im->add_option("--format", img->format, "Output format, as run image --format")
        ->check(CLI::IsMember({"same", "png", "jpg", "webp"}));
    im->add_option("--output", img->output, "Output folder")->required();
    im->callback([img, &action] {
        action = [img] { return run_image_baseline(img->paths, img->ops, img->format, img->output); };
    });
#else
    auto* im = cmd->add_subcommand("image", "Plain OpenCV loop over images, one thread (bench/image/baseline.cpp)");
    im->prefix_command();  // parapipe-image reads the arguments
    im->set_help_flag();
    im->callback([&action] { action = [] { return exec_image_program(); }; });
#endif
}

}  // namespace parapipe::cli::bench
