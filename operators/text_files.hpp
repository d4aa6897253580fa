#pragma once
// text_files(paths): the text of files, folders (engine/walk.hpp) or stdin ("-") in pieces cut
// only between words (operators/utf8.hpp next_cut): a chunk never splits a word or a UTF-8
// sequence, so word-level stages (ops::words) see every word whole. Items are std::string_view
// pieces of text (one per file in a chunk), valid during the stage call.
//
//   auto counts = parapipe::text_files({"books/"}).flat_map(parapipe::ops::words).count_by_key().run();
//
// For records that end at line breaks (logs, CSV) use lines() instead: a word-safe cut may fall
// inside a line.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <parapipe/engine/flow.hpp>
#include <parapipe/engine/text_source.hpp>
#include <parapipe/operators/utf8.hpp>

namespace parapipe {

/// The Source behind text_files().
class TextFilesSource : public TextBackedSource {
public:
    using item_type = std::string_view;

    TextFilesSource(const std::vector<std::string>& paths, std::size_t chunk_size, const WalkOptions& walk = {})
        : TextBackedSource(TextSource::open(paths, chunk_size, utf8::next_cut, walk)) {}

    template <class Emit>
    void for_each(std::size_t chunk, Emit&& emit) const {
        text_->for_each_piece(chunk, [&](std::string_view text) { emit(text); });
    }
};

/// A flow over the text of `paths` ("-" or none: stdin), about `chunk_size` bytes a chunk.
inline auto text_files(const std::vector<std::string>& paths, std::size_t chunk_size = std::size_t{8} << 20,
                       const WalkOptions& walk = {}) {
    return from(std::make_shared<const TextFilesSource>(paths, chunk_size, walk));
}

}  // namespace parapipe
