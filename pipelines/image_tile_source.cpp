#include <parapipe/pipelines/image_tile_source.hpp>

#include <algorithm>

#include <opencv2/core.hpp>

#include <parapipe/operators/image/apply_ops.hpp>
#include <parapipe/operators/image/halo.hpp>

namespace parapipe::image {

namespace {

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

TileSource::TileSource(const Input& input, const Config& cfg)
    : input_(input), decoded_(ops::decode_image(ops::read_image_file(input.path), cfg.max_pixels)),
      out_type_(CV_8UC(ops::image_ops_channels(cfg.ops, decoded_.channels()))),
      bands_(cut_bands(decoded_.rows, cfg)) {}

std::string TileSource::describe(std::size_t chunk) const {
    return input_.path + " rows [" + std::to_string(bands_[chunk].start) + ", " +
           std::to_string(bands_[chunk].end) + ")";
}

void TileSource::prepare(const RunContext& ctx) const {
    Run& r = *run_;
    if (ctx.concurrent) r.limit.limit();
    if (ctx.forked && ctx.shared_alloc) {
        // Into the shared segment, mapped before fork: every worker reads the same pages.
        r.in = cv::Mat(decoded_.rows, decoded_.cols, decoded_.type(),
                       ctx.shared_alloc(decoded_.total() * decoded_.elemSize()));
        // The heap copy stays: a plan run again (benchmarks, tests) must not decode again.
        decoded_.copyTo(r.in);
    } else {
        r.in = decoded_;  // in-process, or forked workers that inherit it at fork
    }
    // Without memory the workers can write and we can read, bands travel in the partials.
    r.out = ctx.shared_alloc ? cv::Mat(decoded_.rows, decoded_.cols, out_type_,
                                       ctx.shared_alloc(decoded_.total() * CV_ELEM_SIZE(out_type_)))
                             : cv::Mat();
}

void TileSource::worker_init() const {
    if (cv::getNumThreads() != 1) cv::setNumThreads(1);
}

bool TileSource::write_in_place(const Band& b) const {
    if (b.pixels.type() != out_type_) throw Error("band has an unexpected image type");
    if (run_->out.empty()) return false;
    b.pixels.copyTo(run_->out.rowRange(b.first_row, b.first_row + b.pixels.rows));  // disjoint rows per chunk
    return true;
}

cv::Mat TileSource::stitch(Partial& p) const {
    if (p.images != bands_.size()) throw Error(input_.path + ": some bands are missing");
    if (!run_->out.empty()) return run_->out.clone();  // `out` is freed with the run's shared memory
    cv::Mat whole(decoded_.rows, decoded_.cols, out_type_);
    for (auto& [y, band] : p.bands) band.copyTo(whole.rowRange(y, y + band.rows));
    return whole;
}

void TileSource::finish() const {
    run_->in = cv::Mat();
    run_->out = cv::Mat();
    run_->limit.restore();
}

}  // namespace parapipe::image
