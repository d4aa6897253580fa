// The image pipeline's batch flow and its sequential reference.
#include <parapipe/pipelines/image.hpp>

#include <filesystem>
#include <new>
#include <utility>

#include <opencv2/core.hpp>

#include <parapipe/operators/image/apply_ops.hpp>

namespace parapipe::image {

Processed process_image(const Input& in, const Config& cfg) {
    Processed one;
    try {
        const cv::Mat img = ops::load_image(in.path, cfg.max_pixels);
        const cv::Mat out = ops::apply_image_ops(img, cfg.ops);
        if (cfg.histogram) ops::add_to_histogram(out, one.histogram);
        if (!cfg.output_dir.empty()) ops::write_image_atomically(output_path(in, cfg), out);
        one.pixels = out.total();
        one.input_pixels = img.total();
    } catch (const cv::Exception& e) {
        one.failure = Failure{in.path, "OpenCV: " + e.err};
    } catch (const std::bad_alloc&) {
        one.failure = Failure{in.path, "out of memory"};
    } catch (const std::exception& e) {  // BadImage, write errors, anything else about this one image
        one.failure = Failure{in.path, e.what()};
    }
    return one;
}

ImagePlan make_batch_plan(std::vector<Input> inputs, const Config& cfg) {
    auto source = std::make_shared<const ImageSource>(std::move(inputs), cfg);
    return then(batch_pipeline(source, cfg).plan(), [source](std::pair<Result, Counters>&& done) {
        source->finish();
        return std::move(done.first);
    });
}

Result run_reference(const std::vector<Input>& inputs, const Config& cfg) {
    if (!cfg.output_dir.empty()) {
        for (const auto& in : inputs)
            std::filesystem::create_directories(std::filesystem::path(output_path(in, cfg)).parent_path());
    }
    const ImageStats stats;
    Partial p = stats.init();
    for (const auto& in : inputs) stats.fold(p, process_image(in, cfg));
    return stats.finalize(std::move(p));
}

}  // namespace parapipe::image
