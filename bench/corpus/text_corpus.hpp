#pragma once
// Deterministic benchmark text: words drawn from a Zipf distribution (s = 1) over a generated
// vocabulary, mixed case, punctuation and line breaks, and about 5% of words non-ASCII
// (Latin with diacritics, Cyrillic, Greek, CJK). Same bytes for the same size and seed.
#include <cstddef>
#include <cstdint>
#include <string>

namespace parapipe::bench {

/// Returns `bytes` bytes of text (cut at a word boundary, padded with a newline).
std::string make_text_corpus(std::size_t bytes, std::uint64_t seed = 42);

/// Writes the same text to `path` in pieces (memory stays small for multi-GiB corpora).
void write_text_corpus(const std::string& path, std::size_t bytes, std::uint64_t seed = 42);

}  // namespace parapipe::bench
