#pragma once
// The batch pipeline's source: one item per input image, in chunks of whole images balanced by
// pixel count (from the headers find_inputs read), about four chunks per worker. Before a run it
// creates the output folders (in the coordinator, so workers only ever create files) and, when
// chunks run concurrently, keeps OpenCV to one thread (pipelines/detail/opencv_threads.hpp).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <parapipe/engine/plan.hpp>
#include <parapipe/pipelines/detail/opencv_threads.hpp>
#include <parapipe/pipelines/image_types.hpp>

namespace parapipe::image {

class ImageSource {
public:
    using item_type = Input;

    /// Chunks balanced for cfg.workers; outputs go under cfg.output_dir (none when empty).
    ImageSource(std::vector<Input> inputs, const Config& cfg);

    std::size_t chunk_count() const { return chunks_.size(); }
    template <class Emit>
    void for_each(std::size_t chunk, Emit&& emit) const {
        for (std::size_t i : chunks_[chunk]) emit(inputs_[i]);
    }
    std::uint64_t weight(std::size_t chunk) const;
    std::string describe(std::size_t chunk) const;
    void release(std::size_t) const {}

    void prepare(const RunContext& ctx) const;
    void worker_init() const;
    /// The run is over: OpenCV gets its threads back.
    void finish() const { limit_->restore(); }

    const std::vector<Input>& inputs() const { return inputs_; }

private:
    std::vector<Input> inputs_;
    std::vector<std::string> folders_;  // output folders to create, sorted, unique
    std::vector<std::vector<std::size_t>> chunks_;
    // Process-wide OpenCV state, set and undone around a run: not part of the source's value.
    std::unique_ptr<detail::OpenCvThreadLimit> limit_ = std::make_unique<detail::OpenCvThreadLimit>();
};

}  // namespace parapipe::image
