#pragma once
// The image pipeline's values: its inputs and settings, what a run adds up (Partial) and what it
// gives (Result). Partials are described with PARAPIPE_FIELDS, so they cross pipes and live in
// the shared segment without a codec of their own (cv::Mat's is in operators/image/mat_codec.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <opencv2/core/mat.hpp>

// Before anything asks whether a partial holding a cv::Mat has a codec.
#include <parapipe/operators/image/mat_codec.hpp>

#include <parapipe/engine/fields.hpp>
#include <parapipe/operators/image/histogram.hpp>
#include <parapipe/operators/image/image_io.hpp>
#include <parapipe/operators/image/op.hpp>

namespace parapipe::image {

/// Format of the written images: `same` keeps each input's extension, unless that format
/// cannot hold the result (a one-channel result of a .ppm input is written as .pgm).
enum class OutputFormat { same, png, jpg, webp };
std::optional<OutputFormat> parse_output_format(std::string_view s);

/// One input image, as found by find_inputs.
struct Input {
    std::string path;           ///< to open
    std::string relative;       ///< where it goes under the output folder (before --format)
    std::uint64_t width = 0;    ///< from the header; 0 when unknown
    std::uint64_t height = 0;
    std::uint64_t weight = 0;   ///< pixels, or a guess from the file size: balances chunks
};

struct Config {
    ops::ImageOps ops;
    std::string output_dir;  ///< empty: nothing is written (the histogram is still computed)
    bool histogram = true;   ///< false: Result::histogram stays empty (one pass less over every output)
    OutputFormat format = OutputFormat::same;
    std::uint64_t max_pixels = ops::default_max_pixels;
    unsigned workers = 1;    ///< batch: chunks are balanced for this many workers; tile: bands
    int band_rows = 0;       ///< tile: rows per band (0: about 4 bands per worker)
};

/// Where `in`'s output goes: output_dir / relative, with the extension --format asks for.
std::string output_path(const Input& in, const Config& cfg);

/// An input that was skipped: its path and why.
struct Failure {
    std::string path;
    std::string reason;
    friend bool operator==(const Failure&, const Failure&) = default;
    friend auto operator<=>(const Failure&, const Failure&) = default;
    PARAPIPE_FIELDS(path, reason)
};

/// Per-chunk (and per-worker) state. Merge is addition and concatenation.
struct Partial {
    ops::ImageHistogram histogram;
    std::uint64_t images = 0;        ///< images written (batch) or bands done (tile)
    std::uint64_t pixels = 0;        ///< output pixels
    std::uint64_t input_pixels = 0;  ///< decoded input pixels
    std::vector<Failure> failed;
    /// Tile without shared memory only: (first row, rows) of the output, stitched in finalize.
    std::vector<std::pair<std::int32_t, cv::Mat>> bands;
    PARAPIPE_FIELDS(histogram, images, pixels, input_pixels, failed, bands)

    /// Adds `from` into this one.
    void merge(Partial&& from);
};

struct Result {
    ops::ImageHistogram histogram;  ///< of every output image, summed
    std::uint64_t images = 0;
    std::uint64_t pixels = 0;
    std::uint64_t input_pixels = 0;
    std::vector<Failure> failed;    ///< sorted by path
    cv::Mat image;                  ///< tile: the whole output image

    /// Adds another run's figures (tile runs one plan per image).
    void merge(Result&& other);
};

}  // namespace parapipe::image
