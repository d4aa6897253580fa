// The image pipeline's batch plan, its sequential reference, and the histogram report.
#include <parapipe/pipelines/image.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <new>
#include <numeric>
#include <queue>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <parapipe/operators/image/apply_ops.hpp>
#include <parapipe/pipelines/detail/opencv_threads.hpp>

namespace parapipe::image {

namespace {

// Decode, run the chain, count, write. A bad input becomes a Failure, never an exception, so
// one corrupt file cannot stop a batch in any mode.
void process_one(const Input& in, const Config& cfg, Partial& p) {
    try {
        const cv::Mat img = ops::load_image(in.path, cfg.max_pixels);
        const cv::Mat out = ops::apply_image_ops(img, cfg.ops);
        ops::ImageHistogram h;
        ops::add_to_histogram(out, h);
        if (!cfg.output_dir.empty()) ops::write_image_atomically(output_path(in, cfg), out);
        p.histogram.merge(h);
        p.images += 1;
        p.pixels += out.total();
        p.input_pixels += img.total();
    } catch (const cv::Exception& e) {
        p.failed.push_back({in.path, "OpenCV: " + e.err});
    } catch (const std::bad_alloc&) {
        p.failed.push_back({in.path, "out of memory"});
    } catch (const std::exception& e) {  // BadImage, write errors, anything else about this one image
        p.failed.push_back({in.path, e.what()});
    }
}

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

void merge_partials(Partial& into, Partial&& from) {
    into.histogram.merge(from.histogram);
    into.images += from.images;
    into.pixels += from.pixels;
    into.input_pixels += from.input_pixels;
    into.failed.insert(into.failed.end(), std::make_move_iterator(from.failed.begin()),
                       std::make_move_iterator(from.failed.end()));
    into.bands.insert(into.bands.end(), std::make_move_iterator(from.bands.begin()),
                      std::make_move_iterator(from.bands.end()));
}

Result to_result(Partial&& p) {
    Result r;
    r.histogram = p.histogram;
    r.images = p.images;
    r.pixels = p.pixels;
    r.input_pixels = p.input_pixels;
    r.failed = std::move(p.failed);
    std::sort(r.failed.begin(), r.failed.end());
    return r;
}

struct BatchState {
    std::vector<Input> inputs;
    Config cfg;
    std::vector<std::vector<std::size_t>> chunks;
    detail::OpenCvThreadLimit limit;
};

}  // namespace

void Result::merge(Result&& o) {
    histogram.merge(o.histogram);
    images += o.images;
    pixels += o.pixels;
    input_pixels += o.input_pixels;
    failed.insert(failed.end(), std::make_move_iterator(o.failed.begin()), std::make_move_iterator(o.failed.end()));
    std::sort(failed.begin(), failed.end());
    image = std::move(o.image);
}

Plan<Partial, Result> make_batch_plan(std::vector<Input> inputs, Config cfg) {
    auto st = std::make_shared<BatchState>();
    st->chunks = balance(inputs, cfg.workers);
    st->inputs = std::move(inputs);
    st->cfg = std::move(cfg);

    Plan<Partial, Result> plan;
    plan.chunk_count = st->chunks.size();
    plan.prepare = [st](const RunContext& ctx) {
        // Folders first, in the coordinator, so workers only ever create files.
        if (!st->cfg.output_dir.empty()) {
            for (const auto& in : st->inputs)
                std::filesystem::create_directories(std::filesystem::path(output_path(in, st->cfg)).parent_path());
        }
        if (ctx.concurrent) st->limit.limit();
    };
    plan.worker_init = [] {
        if (cv::getNumThreads() != 1) cv::setNumThreads(1);
    };
    plan.map = [st](std::size_t chunk, Partial& p) {
        for (std::size_t i : st->chunks[chunk]) process_one(st->inputs[i], st->cfg, p);
    };
    plan.merge = merge_partials;
    plan.finalize = [st](Partial&& p) {
        st->limit.restore();
        return to_result(std::move(p));
    };
    plan.chunk_weight = [st](std::size_t chunk) {
        std::uint64_t w = 0;
        for (std::size_t i : st->chunks[chunk]) w += st->inputs[i].weight;
        return w;
    };
    plan.describe_chunk = [st](std::size_t chunk) {
        const auto& c = st->chunks[chunk];
        std::string d = st->inputs[c.front()].path;
        if (c.size() > 1) d += " and " + std::to_string(c.size() - 1) + " more image(s)";
        return d;
    };
    return plan;
}

Result run_reference(const std::vector<Input>& inputs, const Config& cfg) {
    if (!cfg.output_dir.empty()) {
        for (const auto& in : inputs)
            std::filesystem::create_directories(std::filesystem::path(output_path(in, cfg)).parent_path());
    }
    Partial p;
    for (const auto& in : inputs) process_one(in, cfg, p);
    return to_result(std::move(p));
}

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
