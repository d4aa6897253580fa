// The image pipeline's histogram report (histogram.json).
#include <nlohmann/json.hpp>

#include <parapipe/pipelines/image.hpp>

namespace parapipe::image {

std::string histogram_json(const Result& r, double seconds) {
    nlohmann::ordered_json j;
    j["images"] = r.images;
    j["pixels"] = r.pixels;
    j["input_pixels"] = r.input_pixels;
    j["skipped"] = r.failed.size();
    j["seconds"] = seconds;
    j["mpix_per_s"] = seconds > 0 ? static_cast<double>(r.input_pixels) / 1e6 / seconds : 0.0;
    auto& channels = j["channels"] = nlohmann::ordered_json::object();
    for (int c = 0; c < ops::hist_channels; ++c) {
        if (r.histogram.total(c) == 0) continue;
        auto& bins = channels[ops::hist_channel_name(c)] = nlohmann::ordered_json::array();
        for (int v = 0; v < 256; ++v) bins.push_back(r.histogram.bins[c * 256 + v]);
    }
    return j.dump() + '\n';
}

}  // namespace parapipe::image
