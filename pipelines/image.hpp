#pragma once
// The prebuilt image pipeline: an op chain (operators/image/) over many images or over the row
// bands of one large image, each output written atomically under an output folder, with the
// per-channel histogram of all outputs as the reduction. Same outputs and histogram in every mode.
//
//   auto inputs = image::find_inputs({"photos/"}, "out");
//   image::Config cfg{.ops = ops::parse_image_ops("grayscale,blur:5"), .output_dir = "out"};
//   auto r = parapipe::run(image::make_batch_plan(inputs, cfg), {.mode = Mode::shm, .workers = 4});
//
// Batch: an ordinary flow, ImageSource (one item per image, chunks balanced by pixel count)
// -> process_image -> ImageStats. Tile: one image is decoded once, split into row bands with
// halos (operators/image/halo.hpp), processed in parallel and stitched; in Mode::shm the decoded
// and output images live in the shared segment and workers write their bands in place; in
// Mode::processes bands come back in the partial. Inputs that cannot be used are recorded by
// path in Result::failed, never thrown.
#include <memory>
#include <string>
#include <vector>

#include <parapipe/engine/flow.hpp>
#include <parapipe/engine/walk.hpp>
#include <parapipe/pipelines/image_source.hpp>
#include <parapipe/pipelines/image_stats.hpp>
#include <parapipe/pipelines/image_types.hpp>

namespace parapipe::image {

/// A plan of the image pipeline: its partials carry the run's counters next to the figures.
using ImagePlan = Plan<Counted<Partial>, Result>;

/// Every image under `paths` (engine/walk.hpp): files as given, folders recursively (only files
/// with image extensions, never reading `skip_dir` when it lies inside one). Headers are probed
/// for sizes. Throws UsageError for a missing path, for no images at all, or for two inputs that
/// would write the same output file.
/// `walk` chooses hidden entries (its `accept` is replaced by the image-extension filter);
/// `chain` is the op chain, for the output names of `same` (see output_path).
std::vector<Input> find_inputs(const std::vector<std::string>& paths, const std::string& skip_dir = {},
                               OutputFormat format = OutputFormat::same, const WalkOptions& walk = {},
                               const ops::ImageOps& chain = {});

/// Decode, run the chain, count, write. Never throws: a bad input becomes a failure, so one
/// corrupt file cannot stop a batch in any mode.
Processed process_image(const Input& in, const Config& cfg);

/// The batch flow over `source`.
inline auto batch_pipeline(std::shared_ptr<const ImageSource> source, const Config& cfg) {
    return from(std::move(source)).map([cfg](const Input& in) { return process_image(in, cfg); }).reduce(ImageStats{});
}

/// The batch plan: chunks of whole images. Output folders are created in prepare.
ImagePlan make_batch_plan(std::vector<Input> inputs, const Config& cfg);

/// Tile plan for one image. Reads and decodes it now: throws ops::BadImage if it cannot, and
/// UsageError if the chain cannot be tiled (resize).
ImagePlan make_tile_plan(const Input& input, Config cfg);

/// The plain sequential reference: a loop over the images, OpenCV with its own threads.
/// The tests' oracle and the benchmarks' baseline.
Result run_reference(const std::vector<Input>& inputs, const Config& cfg);

/// {"images":..,"pixels":..,"input_pixels":..,"seconds":..,"mpix_per_s":..,"channels":{"gray":[256 counts],..}}
std::string histogram_json(const Result& r, double seconds);

}  // namespace parapipe::image
