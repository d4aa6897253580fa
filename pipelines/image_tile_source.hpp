#pragma once
// The tile pipeline's source: one image cut into row bands (operators/image/halo.hpp gives
// each band its halo), one item per band. In Mode::shm the decoded image and the output live
// in the shared segment and workers write their bands in place; without shared memory
// (Mode::processes) bands travel back in the partials.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include <parapipe/engine/plan.hpp>
#include <parapipe/pipelines/detail/opencv_threads.hpp>
#include <parapipe/pipelines/image_types.hpp>

namespace parapipe::image {

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

// One image, decoded once when the plan is made; one item per band of output rows. Between
// prepare and finish it holds the buffers of the current run.
class TileSource {
public:
    using item_type = BandRows;

    /// Reads and decodes the image: throws ops::BadImage if it cannot.
    TileSource(const Input& input, const Config& cfg);

    std::size_t chunk_count() const { return bands_.size(); }
    template <class Emit>
    void for_each(std::size_t chunk, Emit&& emit) const {
        emit(BandRows{run_->in, bands_[chunk].start, bands_[chunk].end});
    }
    std::uint64_t weight(std::size_t chunk) const { return std::uint64_t(bands_[chunk].size()) * decoded_.cols; }
    std::string describe(std::size_t chunk) const;
    void release(std::size_t) const {}

    /// Places the image (and the output) where the run's workers can reach them.
    void prepare(const RunContext& ctx) const;
    void worker_init() const;

    /// Copies `b` into the run's output; false when there is none: `b` must travel in the partial.
    bool write_in_place(const Band& b) const;
    /// The whole output, from the run's output or from the bands in `p`.
    cv::Mat stitch(Partial& p) const;
    /// The run is over: its buffers go, OpenCV gets its threads back.
    void finish() const;

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

}  // namespace parapipe::image
