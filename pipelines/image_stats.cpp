#include <parapipe/pipelines/image_stats.hpp>

#include <algorithm>
#include <iterator>

namespace parapipe::image {

void Partial::merge(Partial&& from) {
    histogram.merge(from.histogram);
    images += from.images;
    pixels += from.pixels;
    input_pixels += from.input_pixels;
    failed.insert(failed.end(), std::make_move_iterator(from.failed.begin()), std::make_move_iterator(from.failed.end()));
    bands.insert(bands.end(), std::make_move_iterator(from.bands.begin()), std::make_move_iterator(from.bands.end()));
}

void Result::merge(Result&& o) {
    histogram.merge(o.histogram);
    images += o.images;
    pixels += o.pixels;
    input_pixels += o.input_pixels;
    failed.insert(failed.end(), std::make_move_iterator(o.failed.begin()), std::make_move_iterator(o.failed.end()));
    std::sort(failed.begin(), failed.end());
    image = std::move(o.image);
}

void ImageStats::fold(Partial& p, const Processed& one) const {
    if (one.failure) {
        p.failed.push_back(*one.failure);
        return;
    }
    p.histogram.merge(one.histogram);
    p.images += 1;
    p.pixels += one.pixels;
    p.input_pixels += one.input_pixels;
}

Result ImageStats::finalize(Partial&& p) const {
    Result r;
    r.histogram = p.histogram;
    r.images = p.images;
    r.pixels = p.pixels;
    r.input_pixels = p.input_pixels;
    r.failed = std::move(p.failed);
    std::sort(r.failed.begin(), r.failed.end());  // chunks finish in any order
    return r;
}

}  // namespace parapipe::image
