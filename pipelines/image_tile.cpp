// The image pipeline's tile plan: one image in row bands with halos (operators/image/halo.hpp),
// as a flow: TileSource (one item per band) -> the chain on the band -> Stitch.
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

/// Output rows [begin, end) to compute from the whole decoded `image`.
struct BandRows {
    const cv::Mat& image;
    int begin, end;
};

/// Output rows from first_row on, computed.
struct Band {
    int first_row = 0;
    cv::Mat pixels;
    std::uint64_t input_pixels = 0;
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

// One image, decoded once when the plan is made, and the buffers of the current run.
class TileSource {
public:
    using item_type = BandRows;

    TileSource(const Input& input, const Config& cfg)
        : input_(input), decoded_(ops::decode_image(ops::read_image_file(input.path), cfg.max_pixels)),
          out_type_(CV_8UC(ops::image_ops_channels(cfg.ops, decoded_.channels()))),
          bands_(cut_bands(decoded_.rows, cfg)) {}

    std::size_t chunk_count() const { return bands_.size(); }
    template <class Emit>
    void for_each(std::size_t chunk, Emit&& emit) const {
        emit(BandRows{run_->in, bands_[chunk].start, bands_[chunk].end});
    }
    std::uint64_t weight(std::size_t chunk) const { return std::uint64_t(bands_[chunk].size()) * decoded_.cols; }
    std::string describe(std::size_t chunk) const {
        return input_.path + " rows [" + std::to_string(bands_[chunk].start) + ", " +
               std::to_string(bands_[chunk].end) + ")";
    }
    void release(std::size_t) const {}

    void prepare(const RunContext& ctx) const {
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
    void worker_init() const {
        if (cv::getNumThreads() != 1) cv::setNumThreads(1);
    }

    /// Copies `b` into the run's output; false when there is none: `b` must travel in the partial.
    bool write_in_place(const Band& b) const {
        if (b.pixels.type() != out_type_) throw Error("band has an unexpected image type");
        if (run_->out.empty()) return false;
        b.pixels.copyTo(run_->out.rowRange(b.first_row, b.first_row + b.pixels.rows));  // disjoint rows per chunk
        return true;
    }

    /// The whole output, from the run's output or from the bands in `p`.
    cv::Mat stitch(Partial& p) const {
        if (p.images != bands_.size()) throw Error(input_.path + ": some bands are missing");
        if (!run_->out.empty()) return run_->out.clone();  // `out` is freed with the run's shared memory
        cv::Mat whole(decoded_.rows, decoded_.cols, out_type_);
        for (auto& [y, band] : p.bands) band.copyTo(whole.rowRange(y, y + band.rows));
        return whole;
    }

    /// The run is over: its buffers go, OpenCV gets its threads back.
    void finish() const {
        run_->in = cv::Mat();
        run_->out = cv::Mat();
        run_->limit.restore();
    }

    const Input& input() const { return input_; }

private:
    struct Run {
        cv::Mat in, out;  // what the workers read and write; in Mode::shm both are shared
        detail::OpenCvThreadLimit limit;
    };

    Input input_;
    cv::Mat decoded_;
    int out_type_;
    std::vector<cv::Range> bands_;
    std::unique_ptr<Run> run_ = std::make_unique<Run>();  // set up by prepare for each run
};

/// Adds bands up and places them: in the run's output, or in the partial to stitch at the end.
struct Stitch {
    std::shared_ptr<const TileSource> source;

    using partial_type = Partial;
    Partial init() const { return {}; }
    void fold(Partial& p, const Band& b) const {
        ops::add_to_histogram(b.pixels, p.histogram);
        p.images += 1;
        p.pixels += b.pixels.total();
        p.input_pixels += b.input_pixels;
        if (!source->write_in_place(b)) p.bands.emplace_back(b.first_row, b.pixels);
    }
    void merge(Partial& into, Partial&& from) const { into.merge(std::move(from)); }
    Result finalize(Partial&& p) const {
        Result r;
        r.image = source->stitch(p);
        r.histogram = p.histogram;
        r.pixels = p.pixels;
        r.input_pixels = p.input_pixels;
        r.images = 1;
        return r;
    }
};

}  // namespace

ImagePlan make_tile_plan(const Input& input, Config cfg) {
    if (!ops::image_ops_tileable(cfg.ops))
        throw UsageError("resize cannot be used with --tile (INTER_AREA on bands would not match the whole image); "
                         "run without --tile");
    auto source = std::make_shared<const TileSource>(input, cfg);
    auto flow = from(source).map([chain = cfg.ops](const BandRows& b) {
        return Band{b.begin, ops::apply_image_ops_band(b.image, chain, b.begin, b.end),
                    std::uint64_t(b.end - b.begin) * b.image.cols};
    });
    return then(flow.reduce(Stitch{source}).plan(), [source, cfg](std::pair<Result, Counters>&& done) {
        source->finish();
        Result r = std::move(done.first);
        if (!cfg.output_dir.empty()) {
            try {
                const std::string path = output_path(source->input(), cfg);
                std::filesystem::create_directories(std::filesystem::path(path).parent_path());
                ops::write_image_atomically(path, r.image);
            } catch (const std::exception& e) {
                r.images = 0;
                r.failed.push_back({source->input().path, e.what()});
            }
        }
        return r;
    });
}

}  // namespace parapipe::image
