#pragma once
// Deterministic synthetic images for the image benchmarks, tests and demo: smooth gradients,
// filled shapes and a little noise, so that codecs, blurs and edge filters do realistic work.
// Same pixels for the same size and seed, on every machine.
#include <cstdint>
#include <string>
#include <vector>

namespace parapipe::bench {

/// Writes `count` PNG images of width × height (BGR) into `dir` (created if missing) and returns
/// their paths, in order. Names carry size and seed (img_42_640x480_000.png); an existing file of
/// that name is kept, so the folder works as a cache. Files are written atomically.
std::vector<std::string> write_image_corpus(const std::string& dir, int count, int width, int height,
                                            std::uint64_t seed = 42);

/// Raw pixels of image `index` of the corpus: width × height × channels bytes, row-major, BGR
/// (or gray for channels == 1).
std::vector<unsigned char> make_image_pixels(int width, int height, int channels, std::uint64_t seed,
                                             int index = 0);

}  // namespace parapipe::bench
