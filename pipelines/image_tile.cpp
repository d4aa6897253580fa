// The image pipeline's tile plan: one image in row bands with halos (operators/image/halo.hpp).
#include <algorithm>
#include <filesystem>
#include <memory>

#include <opencv2/core.hpp>

#include <parapipe/operators/image/apply_ops.hpp>
#include <parapipe/operators/image/halo.hpp>
#include <parapipe/pipelines/detail/opencv_threads.hpp>
#include <parapipe/pipelines/image.hpp>

namespace parapipe::image {

namespace {

struct TileState {
    Input input;
    Config cfg;
    cv::Mat decoded;                   // on the heap, decoded once when the plan is made
    int rows = 0, cols = 0, in_type = 0, out_type = 0;
    std::vector<cv::Range> bands;
    // What the current run's workers read and write. In Mode::shm both live in the shared
    // segment; in Mode::processes `out` is unused (bands come back in the partials).
    cv::Mat in, out;
    bool bands_in_partial = false;
    detail::OpenCvThreadLimit limit;
};

std::vector<cv::Range> cut_bands(int rows, const Config& cfg) {
    int per = cfg.band_rows;
    if (per <= 0) {
        // About four bands per worker, but not so thin that halos dominate the work.
        const int want = static_cast<int>(std::max(1u, cfg.workers) * 4);
        per = std::max({(rows + want - 1) / want, 4 * ops::image_ops_halo(cfg.ops), 16});
    }
    std::vector<cv::Range> bands;
    for (int y = 0; y < rows; y += per) bands.emplace_back(y, std::min(rows, y + per));
    return bands;
}

}  // namespace

Plan<Partial, Result> make_tile_plan(const Input& input, Config cfg) {
    if (!ops::image_ops_tileable(cfg.ops))
        throw UsageError("resize cannot be used with --tile (INTER_AREA on bands would not match the whole image); "
                         "run without --tile");
    auto st = std::make_shared<TileState>();
    st->input = input;
    st->decoded = ops::decode_image(ops::read_image_file(input.path), cfg.max_pixels);
    st->rows = st->decoded.rows;
    st->cols = st->decoded.cols;
    st->in_type = st->decoded.type();
    st->out_type = CV_8UC(ops::image_ops_channels(cfg.ops, st->decoded.channels()));
    st->bands = cut_bands(st->rows, cfg);
    st->cfg = std::move(cfg);

    Plan<Partial, Result> plan;
    plan.chunk_count = st->bands.size();
    plan.prepare = [st](const RunContext& ctx) {
        if (ctx.concurrent) st->limit.limit();
        if (ctx.forked && ctx.shared_alloc) {
            // Into the shared segment, mapped before fork: every worker reads the same pages.
            const std::size_t bytes = st->decoded.total() * st->decoded.elemSize();
            st->in = cv::Mat(st->rows, st->cols, st->in_type, ctx.shared_alloc(bytes));
            // The heap copy stays: a plan run again (benchmarks, tests) must not decode again.
            st->decoded.copyTo(st->in);
        } else {
            st->in = st->decoded;  // in-process, or forked workers that inherit it at fork
        }
        st->bands_in_partial = !ctx.shared_alloc;  // workers cannot write where we read
        st->out = cv::Mat();
        if (!st->bands_in_partial) {
            const std::size_t bytes = std::size_t(st->rows) * st->cols * CV_ELEM_SIZE(st->out_type);
            st->out = cv::Mat(st->rows, st->cols, st->out_type, ctx.shared_alloc(bytes));
        }
    };
    plan.worker_init = [] {
        if (cv::getNumThreads() != 1) cv::setNumThreads(1);
    };
    plan.map = [st](std::size_t chunk, Partial& p) {
        const cv::Range rows = st->bands[chunk];
        const cv::Mat band = ops::apply_image_ops_band(st->in, st->cfg.ops, rows.start, rows.end);
        if (band.type() != st->out_type) throw Error("band has an unexpected image type");
        ops::add_to_histogram(band, p.histogram);
        p.images += 1;
        p.pixels += band.total();
        p.input_pixels += std::uint64_t(rows.size()) * st->cols;
        if (st->bands_in_partial) p.bands.emplace_back(rows.start, band);
        else band.copyTo(st->out.rowRange(rows));  // in place: disjoint rows per chunk
    };
    plan.merge = [](Partial& into, Partial&& from) {
        into.histogram.merge(from.histogram);
        into.images += from.images;
        into.pixels += from.pixels;
        into.input_pixels += from.input_pixels;
        for (auto& b : from.bands) into.bands.push_back(std::move(b));
        for (auto& f : from.failed) into.failed.push_back(std::move(f));
    };
    plan.finalize = [st](Partial&& p) {
        st->limit.restore();
        if (p.images != st->bands.size()) throw Error(st->input.path + ": some bands are missing");
        Result r;
        r.histogram = p.histogram;
        r.pixels = p.pixels;
        r.input_pixels = p.input_pixels;
        if (st->bands_in_partial) {
            r.image.create(st->rows, st->cols, st->out_type);
            for (auto& [y, band] : p.bands) band.copyTo(r.image.rowRange(y, y + band.rows));
        } else {
            r.image = st->out.clone();  // `out` is freed with the run's shared memory
        }
        st->in = cv::Mat();
        st->out = cv::Mat();
        r.images = 1;
        if (!st->cfg.output_dir.empty()) {
            try {
                const std::string path = output_path(st->input, st->cfg);
                std::filesystem::create_directories(std::filesystem::path(path).parent_path());
                ops::write_image_atomically(path, r.image);
            } catch (const std::exception& e) {
                r.images = 0;
                r.failed.push_back({st->input.path, e.what()});
            }
        }
        return r;
    };
    plan.chunk_weight = [st](std::size_t chunk) { return std::uint64_t(st->bands[chunk].size()) * st->cols; };
    plan.describe_chunk = [st](std::size_t chunk) {
        return st->input.path + " rows [" + std::to_string(st->bands[chunk].start) + ", " +
               std::to_string(st->bands[chunk].end) + ")";
    };
    return plan;
}

}  // namespace parapipe::image
