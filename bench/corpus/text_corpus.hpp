#pragma once
// Deterministic benchmark text, one of several kinds. Same bytes for the same kind, size and seed.
//   mixed     words drawn from a Zipf distribution (s = 1) over a generated vocabulary, mixed
//             case, punctuation and line breaks, about 5% of words non-ASCII (Latin with
//             diacritics, Cyrillic, Greek, CJK): the default
//   ascii     the same without the non-ASCII words
//   cyrillic  about 90% of words Cyrillic (some capitalised), the rest ASCII
//   cjk       about 90% of words runs of CJK ideographs with ideographic punctuation, the rest ASCII
//   distinct  seven-letter words, each exactly once, one per line: as many distinct keys as words
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parapipe::bench {

enum class TextKind { mixed, ascii, cyrillic, cjk, distinct };

/// "mixed", "ascii", "cyrillic", "cjk", "distinct" (the names --corpus takes).
std::string_view to_string(TextKind kind);
std::optional<TextKind> parse_text_kind(std::string_view name);
/// "text", "ASCII text", "mostly-Cyrillic text"...: for reports.
std::string describe(TextKind kind);

/// Returns `bytes` bytes of text (cut at a word boundary, padded with a newline).
std::string make_text_corpus(std::size_t bytes, std::uint64_t seed = 42, TextKind kind = TextKind::mixed);

/// Writes the same text to `path` in pieces (memory stays small for multi-GiB corpora).
void write_text_corpus(const std::string& path, std::size_t bytes, std::uint64_t seed = 42,
                       TextKind kind = TextKind::mixed);

}  // namespace parapipe::bench
