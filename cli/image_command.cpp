// `parapipe run image`: an OpenCV op chain over images (batch) or over the bands of large
// images (--tile), outputs written atomically under --output, optional histogram report.
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <opencv2/core/utils/logger.hpp>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/image_program.hpp"
#include "cli/output_file.hpp"
#include "cli/validators.hpp"
#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/mpi_transport.hpp>
#include <parapipe/engine/run.hpp>
#include <parapipe/operators/image/halo.hpp>
#include <parapipe/operators/image/parse_ops.hpp>
#include <parapipe/pipelines/image.hpp>

namespace parapipe::cli {

namespace {

struct ImageArgs {
    std::vector<std::string> paths;
    std::string ops;
    std::string output;
    std::string format = "same";
    bool tile = false;
    int band_rows = 0;
    bool histogram = false;
    std::string max_pixels = "256M";
    CommonRunOptions common;
};

// "256M", "1G", "5000000": a pixel count (decimal suffixes K, M, G).
std::uint64_t parse_pixels(const std::string& s) {
    std::size_t used = 0;
    unsigned long long n = 0;
    try {
        n = std::stoull(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    std::uint64_t scale = 1;
    if (used > 0 && used + 1 == s.size()) {
        switch (s.back()) {
            case 'k': case 'K': scale = 1'000; break;
            case 'm': case 'M': scale = 1'000'000; break;
            case 'g': case 'G': scale = 1'000'000'000; break;
            default: used = 0;
        }
    } else if (used != s.size()) {
        used = 0;
    }
    if (used == 0 || n == 0 || n > (std::uint64_t{1} << 40) / scale)
        throw UsageError("bad --max-pixels '" + s + "' (a pixel count such as 256M or 40000000)");
    return n * scale;
}

// Creates the output folder and a file in it now, so an unwritable output fails before any work.
void check_output_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw UsageError("cannot create output folder " + dir + (ec ? ": " + ec.message() : ": not a folder"));
    OutputFile probe((fs::path(dir) / ".parapipe-write-test").string());  // removed when destroyed
}

// `--format same` writes another format where the input's cannot hold the result; say so once.
void note_format_fallback(const std::vector<image::Input>& inputs, const image::Config& cfg) {
    namespace fs = std::filesystem;
    for (const auto& in : inputs) {
        const auto from = fs::path(in.relative).extension().string();
        const auto to = fs::path(image::output_path(in, cfg)).extension().string();
        if (cfg.format == image::OutputFormat::same && from != to) {
            std::fprintf(stderr, "parapipe: note: %s cannot hold a one-channel result; writing %s instead\n",
                         from.c_str(), to.c_str());
            return;
        }
    }
}

void print_failures(const image::Result& r) {
    for (const auto& f : r.failed) std::fprintf(stderr, "parapipe: skipped %s: %s\n", f.path.c_str(), f.reason.c_str());
}

void print_histogram(const image::Result& r) {
    for (int c = 0; c < ops::hist_channels; ++c) {
        if (r.histogram.total(c) == 0) continue;
        std::string line = std::string("histogram ") + ops::hist_channel_name(c);
        for (int v = 0; v < 256; ++v) line += ' ' + std::to_string(r.histogram.bins[c * 256 + v]);
        std::printf("%s\n", line.c_str());
    }
}

// A decoded photo and the intermediates of its ops are tens of MB each. glibc gives any block over
// its mmap threshold (at most 32 MiB by default) back to the kernel at free(), so every image
// faults its buffers in again, page by page: on 4096x4096 photos that was two thirds of the CPU
// time. Keep freed memory in the heap for the next image instead, in one arena that every thread
// shares (each thread's own arena is too small for such blocks). Forked workers inherit this.
// The heap then stays at the run's peak, which the per-image working set already bounds.
void keep_image_buffers() {
    ::mallopt(M_ARENA_MAX, 1);
    ::mallopt(M_MMAP_THRESHOLD, 512 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int run_image(const ImageArgs& a) {
    keep_image_buffers();
    RunOptions opt = a.common.resolve();
    image::Config cfg;
    cfg.ops = ops::parse_image_ops(a.ops);
    auto fmt = image::parse_output_format(a.format);
    if (!fmt) throw UsageError("unknown --format '" + a.format + "' (choose png, jpg, webp or same)");
    cfg.format = *fmt;
    cfg.max_pixels = parse_pixels(a.max_pixels);
    cfg.workers = opt.workers;
    cfg.band_rows = a.band_rows;
    cfg.output_dir = a.output;
    cfg.histogram = a.histogram;  // only printed with --histogram: not computed without it
    if (a.band_rows < 0) throw UsageError("--band-rows must be at least 1 (or 0: automatic)");
    if (a.tile && !ops::image_ops_tileable(cfg.ops))
        throw UsageError("resize cannot be used with --tile (INTER_AREA on bands would not match the whole image); "
                         "run without --tile");
    for (const auto& op : cfg.ops) {
        if (op.kind == ops::ImageOpKind::resize && std::uint64_t(op.width) * op.height > cfg.max_pixels)
            throw UsageError("--ops " + ops::to_string(op) + " makes images larger than --max-pixels");
    }
    // mpi: every rank writes the images of its chunks (paths all ranks share); rank 0 alone
    // writes the report and prints.
    const bool output_rank = opt.mode != Mode::mpi || mpi_rank() == 0;
    check_output_dir(a.output);
    auto inputs = image::find_inputs(a.paths, a.output, cfg.format, a.common.walk_options(), cfg.ops);
    if (!a.common.quiet && output_rank) note_format_fallback(inputs, cfg);
    // OpenCV's own warnings would repeat what the summary says, in a worse form.
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);

    std::uint64_t total = 0;
    for (const auto& in : inputs) total += in.weight;
    auto t0 = std::chrono::steady_clock::now();
    Progress progress(output_rank ? a.common.progress_when() : ProgressWhen::never, total, "px");
    opt.progress = progress.counter();
    opt.cancel = &g_cancel;
    RunStats run_stats;
    opt.stats = &run_stats;
    image::Result result;
    std::size_t chunks = 0;
    if (!a.tile) {
        auto plan = image::make_batch_plan(inputs, cfg);
        chunks = plan.chunk_count;
        result = run(plan, opt);
    } else {
        // One plan per image, each cut into bands; an image that cannot be decoded is skipped.
        for (const auto& in : inputs) {
            try {
                auto plan = image::make_tile_plan(in, cfg);
                chunks += plan.chunk_count;
                image::Result r = run(plan, opt);
                r.image = cv::Mat();
                result.merge(std::move(r));
            } catch (const ops::BadImage& e) {
                image::Result r;
                r.failed.push_back({in.path, e.what()});
                result.merge(std::move(r));
            }
        }
    }
    progress.finish();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (!output_rank) return exit_ok;
    if (a.histogram) {
        write_file_atomically((std::filesystem::path(a.output) / "histogram.json").string(),
                              image::histogram_json(result, secs));
        print_histogram(result);
    }
    print_failures(result);  // errors: shown even with --quiet
    const double mpix = static_cast<double>(result.input_pixels) / 1e6;
    if (!a.common.quiet)
        std::printf("%llu image(s) written to %s: %.1f MPix in %.3f s, %.1f MPix/s%s\n",
                static_cast<unsigned long long>(result.images), a.output.c_str(), mpix, secs,
                secs > 0 ? mpix / secs : 0.0,
                result.failed.empty() ? "" : (", " + std::to_string(result.failed.size()) + " skipped").c_str());
    std::fflush(stdout);
    if (a.common.stats) {
        std::fprintf(stderr, "images %llu  skipped %zu  input_pixels %llu  output_pixels %llu  chunks %zu\n"
                             "wall %.3f s  %.1f MPix/s  mode %s  workers %u  backups %llu  timeouts %llu%s\n",
                     static_cast<unsigned long long>(result.images), result.failed.size(),
                     static_cast<unsigned long long>(result.input_pixels),
                     static_cast<unsigned long long>(result.pixels), chunks, secs, secs > 0 ? mpix / secs : 0.0,
                     std::string(to_string(opt.mode)).c_str(), workers_used(opt),
                     static_cast<unsigned long long>(run_stats.backups.load()),
                     static_cast<unsigned long long>(run_stats.timeouts.load()), a.tile ? "  tiled" : "");
        if (opt.mode == Mode::mpi) print_mpi_stats();
    }
    return result.failed.empty() ? exit_ok : exit_some_skipped;
}

}  // namespace

void add_image_command(CLI::App& run, Action& action) {
    auto args = std::make_shared<ImageArgs>();
    auto* cmd = run.add_subcommand("image", image_command_summary);
    cmd->footer(std::string("OPS is a comma-separated chain applied in order: ") + ops::image_ops_help() +
                ".\n  grayscale   cvtColor BGR2GRAY (no-op on one channel)\n"
                "  blur:K      GaussianBlur K x K (K odd), sigma 0\n"
                "  sobel       |Sobel dx| and |Sobel dy| (ksize 3) blended 0.5/0.5\n"
                "  threshold:T binary threshold at T (0-255), max 255\n"
                "  invert      bitwise_not\n"
                "  resize:WxH  resize to W x H, INTER_AREA (not with --tile)\n"
                "Exit codes: 0 ok, 2 bad arguments or unwritable output, 3 some inputs skipped.\n"
                "Example: parapipe run image photos/ --ops grayscale,blur:5,sobel --output out --format png -m shm");
    cmd->add_option("paths", args->paths,
                    "Image files or directories (recursive, hidden entries skipped; JPEG, PNG, WebP, TIFF, BMP, PNM...)")
        ->required();
    cmd->add_option("--ops", args->ops, "Op chain, e.g. grayscale,blur:5,sobel (see below)")->required();
    cmd->add_option("--output,-o", args->output, "Folder for the outputs (same relative paths as the inputs)")
        ->required();
    cmd->add_option("--format,-f", args->format,
                    "Output format; same: each input's, or the nearest one that holds the result (PPM -> PGM)")
        ->check(choice({"same", "png", "jpg", "jpeg", "webp"}))
        ->capture_default_str();
    cmd->add_flag("--tile", args->tile, "Split each image into row bands processed in parallel (for large images)");
    cmd->add_option("--band-rows", args->band_rows, "--tile: rows per band (0: about 4 bands per worker)")
        ->check(whole_number(0, 1u << 30))
        ->capture_default_str();
    cmd->add_flag("--histogram", args->histogram,
                  "Print the per-channel histogram of all outputs and write it to OUTPUT/histogram.json");
    cmd->add_option("--max-pixels", args->max_pixels, "Skip inputs whose declared size exceeds this many pixels")
        ->capture_default_str();
    args->common.add_to(*cmd);
    cmd->callback([args, &action] { action = [args] { return run_image(*args); }; });
}

}  // namespace parapipe::cli
