#pragma once
// Where `parapipe bench` keeps generated inputs so that repeated benchmarks reuse them:
// --cache-dir, else $XDG_CACHE_HOME/parapipe, else ~/.cache/parapipe. Files are named by what
// determines their bytes (size, seed, and a fingerprint of the generator's output) and appear
// atomically (written beside, then renamed), so an interrupted generation leaves nothing half-made.
#include <cstdint>
#include <string>
#include <vector>

#include "bench/corpus/text_corpus.hpp"

namespace parapipe::cli::bench {

/// The cache folder (created if missing). Throws UsageError when it cannot be created.
std::string cache_dir(const std::string& override_dir);

using parapipe::bench::TextKind;

/// Where the generated text corpus of `kind`, `bytes` and `seed` lives in `dir` (it may not exist yet).
std::string text_corpus_path(const std::string& dir, std::uint64_t bytes, std::uint64_t seed,
                             TextKind kind = TextKind::mixed);

/// Generates that corpus at `path` unless it exists already. Returns true when it generated.
bool ensure_text_corpus(const std::string& path, std::uint64_t bytes, std::uint64_t seed,
                        TextKind kind = TextKind::mixed);

/// The text corpus in `dir`, generated now (saying so on stderr) when missing; returns its path.
std::string cached_text_corpus(const std::string& dir, std::uint64_t bytes, std::uint64_t seed,
                               TextKind kind = TextKind::mixed);

/// `count` synthetic PNGs of `width`x`height` in a folder of `dir` named by size and seed, made
/// now when missing (saying so on stderr); returns exactly those paths, even when the folder
/// holds more from an earlier, larger count.
std::vector<std::string> cached_image_corpus(const std::string& dir, int count, int width, int height,
                                             std::uint64_t seed);

}  // namespace parapipe::cli::bench
