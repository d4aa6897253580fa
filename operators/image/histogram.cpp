#include <parapipe/operators/image/histogram.hpp>

#include <string>

#include <parapipe/engine/errors.hpp>

namespace parapipe::ops {

std::uint64_t ImageHistogram::total(int channel) const {
    std::uint64_t n = 0;
    for (int v = 0; v < 256; ++v) n += bins[channel * 256 + v];
    return n;
}

void ImageHistogram::merge(const ImageHistogram& other) {
    for (std::size_t i = 0; i < bins.size(); ++i) bins[i] += other.bins[i];
}

void add_to_histogram(const cv::Mat& img, ImageHistogram& h) {
    if (img.depth() != CV_8U || (img.channels() != 1 && img.channels() != 3))
        throw Error("histogram needs an 8-bit image with 1 or 3 channels, got type " + std::to_string(img.type()));
    if (img.channels() == 1) {
        // Four sub-histograms break the store-to-load dependency on runs of equal pixels.
        std::array<std::array<std::uint64_t, 256>, 4> part{};
        for (int y = 0; y < img.rows; ++y) {
            const uchar* p = img.ptr<uchar>(y);
            int x = 0;
            for (; x + 4 <= img.cols; x += 4) {
                ++part[0][p[x]], ++part[1][p[x + 1]], ++part[2][p[x + 2]], ++part[3][p[x + 3]];
            }
            for (; x < img.cols; ++x) ++part[0][p[x]];
        }
        for (int v = 0; v < 256; ++v) h.bins[v] += part[0][v] + part[1][v] + part[2][v] + part[3][v];
        return;
    }
    std::uint64_t* b = h.bins.data() + 256;
    std::uint64_t* g = h.bins.data() + 512;
    std::uint64_t* r = h.bins.data() + 768;
    for (int y = 0; y < img.rows; ++y) {
        const uchar* p = img.ptr<uchar>(y);
        for (int x = 0; x < img.cols; ++x, p += 3) ++b[p[0]], ++g[p[1]], ++r[p[2]];
    }
}

}  // namespace parapipe::ops
