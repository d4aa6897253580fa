#pragma once
// Per-channel 256-bin histograms of 8-bit images, summed exactly in 64-bit counters (cv::calcHist
// counts in float, which stops being exact past 2^24 pixels). Merging is addition, so it is
// associative and commutative: the same sums in every mode.
#include <array>
#include <cstdint>

#include <opencv2/core/mat.hpp>

#include <parapipe/engine/fields.hpp>

namespace parapipe::ops {

/// Channels a histogram tracks: one-channel images count as gray, three-channel as B, G, R.
enum class HistChannel { gray = 0, blue = 1, green = 2, red = 3 };
constexpr int hist_channels = 4;
constexpr const char* hist_channel_name(int c) {
    constexpr const char* names[] = {"gray", "b", "g", "r"};
    return names[c];
}

struct ImageHistogram {
    /// bins[channel * 256 + value]; a flat array so it serializes and stores as one block.
    std::array<std::uint64_t, hist_channels * 256> bins{};

    std::uint64_t at(HistChannel c, int value) const { return bins[static_cast<int>(c) * 256 + value]; }
    /// Pixels counted in channel c (the sum of its 256 bins).
    std::uint64_t total(int channel) const;
    void merge(const ImageHistogram& other);
    friend bool operator==(const ImageHistogram&, const ImageHistogram&) = default;
    PARAPIPE_FIELDS(bins)  // part of the image partials, in every mode
};

/// Adds every pixel of `img` (CV_8UC1 or CV_8UC3, any stride) to `h`. Not thread-safe for one h.
void add_to_histogram(const cv::Mat& img, ImageHistogram& h);

}  // namespace parapipe::ops
