#pragma once
// What one image gives the batch pipeline (Processed), and the reduction that adds images up:
// histograms and pixel counts summed, failures collected, sorted by path when the run ends.
#include <cstdint>
#include <optional>

#include <parapipe/pipelines/image_types.hpp>

namespace parapipe::image {

/// One image after the op chain: what it adds to the histogram and the counts, or why it was
/// skipped.
struct Processed {
    ops::ImageHistogram histogram;
    std::uint64_t pixels = 0;        ///< output pixels
    std::uint64_t input_pixels = 0;  ///< decoded input pixels
    std::optional<Failure> failure;  ///< set: nothing else counts
};

/// The batch reduction (a Reducer of Processed items, engine/reducer.hpp).
struct ImageStats {
    using partial_type = Partial;
    Partial init() const { return {}; }
    void fold(Partial& p, const Processed& one) const;
    void merge(Partial& into, Partial&& from) const { into.merge(std::move(from)); }
    Result finalize(Partial&& p) const;
};

}  // namespace parapipe::image
