// The image pipeline's tile plan, a flow: TileSource (one item per band) -> the chain on the
// band -> Stitch, then the stitched image is written.
#include <filesystem>
#include <memory>

#include <opencv2/core.hpp>

#include <parapipe/operators/image/apply_ops.hpp>
#include <parapipe/operators/image/halo.hpp>
#include <parapipe/pipelines/image.hpp>
#include <parapipe/pipelines/image_tile_source.hpp>

namespace parapipe::image {

namespace {

/// Adds bands up and places them: in the run's output, or in the partial to stitch at the end.
struct Stitch {
    std::shared_ptr<const TileSource> source;
    bool histogram = true;

    using partial_type = Partial;
    Partial init() const { return {}; }
    void fold(Partial& p, const Band& b) const {
        if (histogram) ops::add_to_histogram(b.pixels, p.histogram);
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
    return then(flow.reduce(Stitch{source, cfg.histogram}).plan(), [source, cfg](std::pair<Result, Counters>&& done) {
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
