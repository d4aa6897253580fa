#include <parapipe/pipelines/image_source.hpp>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <queue>
#include <utility>

#include <opencv2/core/utility.hpp>

namespace parapipe::image {

namespace {

// Longest-processing-time-first: the heaviest image goes to the lightest chunk. About four
// chunks per worker, so a worker that finishes early picks up another.
std::vector<std::vector<std::size_t>> balance(const std::vector<Input>& inputs, unsigned workers) {
    const std::size_t n = inputs.size();
    const std::size_t count = std::min<std::size_t>(n, std::size_t{std::max(1u, workers)} * 4);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return inputs[a].weight > inputs[b].weight; });
    using Load = std::pair<std::uint64_t, std::size_t>;  // (weight so far, chunk)
    std::priority_queue<Load, std::vector<Load>, std::greater<>> lightest;
    for (std::size_t c = 0; c < count; ++c) lightest.push({0, c});
    std::vector<std::vector<std::size_t>> chunks(count);
    for (std::size_t i : order) {
        auto [load, c] = lightest.top();
        lightest.pop();
        chunks[c].push_back(i);
        lightest.push({load + inputs[i].weight, c});
    }
    for (auto& c : chunks) std::sort(c.begin(), c.end());
    return chunks;
}

}  // namespace

ImageSource::ImageSource(std::vector<Input> inputs, const Config& cfg)
    : inputs_(std::move(inputs)), chunks_(balance(inputs_, cfg.workers)) {
    if (!cfg.output_dir.empty()) {
        for (const auto& in : inputs_)
            folders_.push_back(std::filesystem::path(output_path(in, cfg)).parent_path().string());
        std::sort(folders_.begin(), folders_.end());
        folders_.erase(std::unique(folders_.begin(), folders_.end()), folders_.end());
    }
}

std::uint64_t ImageSource::weight(std::size_t chunk) const {
    std::uint64_t w = 0;
    for (std::size_t i : chunks_[chunk]) w += inputs_[i].weight;
    return w;
}

std::string ImageSource::describe(std::size_t chunk) const {
    const auto& c = chunks_[chunk];
    std::string d = inputs_[c.front()].path;
    if (c.size() > 1) d += " and " + std::to_string(c.size() - 1) + " more image(s)";
    return d;
}

void ImageSource::prepare(const RunContext& ctx) const {
    for (const auto& f : folders_) std::filesystem::create_directories(f);
    if (ctx.concurrent) limit_->limit();
}

void ImageSource::worker_init() const {
    if (cv::getNumThreads() != 1) cv::setNumThreads(1);
}

}  // namespace parapipe::image
