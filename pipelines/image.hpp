#pragma once
// The prebuilt image pipeline: an op chain (operators/image/) over many images or over the row
// bands of one large image, each output written atomically under an output folder, with the
// per-channel histogram of all outputs as the reduction. Same outputs and histogram in every mode.
//
//   auto inputs = image::find_inputs({"photos/"}, "out");
//   image::Config cfg{.ops = ops::parse_image_ops("grayscale,blur:5"), .output_dir = "out"};
//   auto r = parapipe::run(image::make_batch_plan(inputs, cfg), {.mode = Mode::shm, .workers = 4});
//
// Batch: each image is an item; chunks group images balanced by pixel count (from the headers).
// Tile: one image is decoded once, split into row bands with halos (operators/image/halo.hpp),
// processed in parallel and stitched; in Mode::shm the decoded and output images live in the
// shared segment and workers write their bands in place; in Mode::processes bands come back in
// the partial. Inputs that cannot be used are recorded by path in Result::failed, never thrown.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <opencv2/core/mat.hpp>

#include <parapipe/engine/plan.hpp>
#include <parapipe/engine/serialize.hpp>
#include <parapipe/operators/image/histogram.hpp>
#include <parapipe/operators/image/image_io.hpp>
#include <parapipe/operators/image/mat_codec.hpp>
#include <parapipe/operators/image/op.hpp>
#include <parapipe/engine/shm_codec.hpp>

namespace parapipe::image {

/// Format of the written images: `same` keeps each input's extension.
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
    OutputFormat format = OutputFormat::same;
    std::uint64_t max_pixels = ops::default_max_pixels;
    unsigned workers = 1;    ///< batch: chunks are balanced for this many workers; tile: bands
    int band_rows = 0;       ///< tile: rows per band (0: about 4 bands per worker)
};

/// An input that was skipped: its path and why.
struct Failure {
    std::string path;
    std::string reason;
    friend bool operator==(const Failure&, const Failure&) = default;
    friend auto operator<=>(const Failure&, const Failure&) = default;
};

/// Per-chunk (and per-worker) state. Merge is addition and concatenation.
struct Partial {
    ops::ImageHistogram histogram;
    std::uint64_t images = 0;        ///< images written (batch) or bands done (tile)
    std::uint64_t pixels = 0;        ///< output pixels
    std::uint64_t input_pixels = 0;  ///< decoded input pixels
    std::vector<Failure> failed;
    /// Tile in Mode::processes only: (first row, rows) of the output, stitched in finalize.
    std::vector<std::pair<std::int32_t, cv::Mat>> bands;
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

/// Every image under `paths`: files as given, directories recursively (only files with image
/// extensions, in sorted order, never descending into `skip_dir`). Headers are probed for sizes.
/// Throws UsageError for a missing path, for no images at all, or for two inputs that would write
/// the same output file.
std::vector<Input> find_inputs(const std::vector<std::string>& paths, const std::string& skip_dir = {},
                               OutputFormat format = OutputFormat::same);

/// Where `in`'s output goes: output_dir / relative, with the extension --format asks for.
std::string output_path(const Input& in, const Config& cfg);

/// Batch plan: chunks of whole images. Output folders are created in prepare.
Plan<Partial, Result> make_batch_plan(std::vector<Input> inputs, Config cfg);

/// Tile plan for one image. Reads and decodes it now: throws ops::BadImage if it cannot, and
/// UsageError if the chain cannot be tiled (resize).
Plan<Partial, Result> make_tile_plan(const Input& input, Config cfg);

/// The plain sequential reference: a loop over the images, OpenCV with its own threads.
/// The tests' oracle and the benchmarks' baseline.
Result run_reference(const std::vector<Input>& inputs, const Config& cfg);

/// {"images":..,"pixels":..,"input_pixels":..,"seconds":..,"mpix_per_s":..,"channels":{"gray":[256 counts],..}}
std::string histogram_json(const Result& r, double seconds);

}  // namespace parapipe::image

namespace parapipe {

// Mode::processes: partials cross pipes.
template <>
struct Serializer<image::Failure> {
    static void write(Writer& w, const image::Failure& f) { serialize(w, f.path), serialize(w, f.reason); }
    static void read(Reader& r, image::Failure& f) { deserialize(r, f.path), deserialize(r, f.reason); }
};

template <>
struct Serializer<image::Partial> {
    static void write(Writer& w, const image::Partial& p) {
        serialize(w, p.histogram.bins);
        w.pod(p.images), w.pod(p.pixels), w.pod(p.input_pixels);
        serialize(w, p.failed);
        serialize(w, p.bands);
    }
    static void read(Reader& r, image::Partial& p) {
        deserialize(r, p.histogram.bins);
        p.images = r.pod<std::uint64_t>(), p.pixels = r.pod<std::uint64_t>(), p.input_pixels = r.pod<std::uint64_t>();
        deserialize(r, p.failed);
        deserialize(r, p.bands);
    }
};

// Mode::shm: partials are stored in the shared segment.
template <>
struct ShmCodec<image::Failure> {
    using Str = ShmCodec<std::string>;
    struct stored {
        explicit stored(const shm::VoidAlloc& a) : path(a), reason(a) {}
        Str::stored path, reason;
    };
    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const image::Failure& f, stored& s, const shm::VoidAlloc& a) {
        Str::store(f.path, s.path, a), Str::store(f.reason, s.reason, a);
    }
    static void load(const stored& s, image::Failure& f) { Str::load(s.path, f.path), Str::load(s.reason, f.reason); }
};

template <>
struct ShmCodec<image::Partial> {
    using Bins = ShmCodec<decltype(ops::ImageHistogram::bins)>;
    using Failed = ShmCodec<std::vector<image::Failure>>;
    using Bands = ShmCodec<decltype(image::Partial::bands)>;
    struct stored {
        explicit stored(const shm::VoidAlloc& a) : bins(Bins::make(a)), failed(Failed::make(a)), bands(Bands::make(a)) {}
        Bins::stored bins;
        std::uint64_t images = 0, pixels = 0, input_pixels = 0;
        Failed::stored failed;
        Bands::stored bands;
    };
    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const image::Partial& p, stored& s, const shm::VoidAlloc& a) {
        Bins::store(p.histogram.bins, s.bins, a);
        s.images = p.images, s.pixels = p.pixels, s.input_pixels = p.input_pixels;
        Failed::store(p.failed, s.failed, a);
        Bands::store(p.bands, s.bands, a);
    }
    static void load(const stored& s, image::Partial& p) {
        Bins::load(s.bins, p.histogram.bins);
        p.images = s.images, p.pixels = s.pixels, p.input_pixels = s.input_pixels;
        Failed::load(s.failed, p.failed);
        Bands::load(s.bands, p.bands);
    }
};

}  // namespace parapipe
