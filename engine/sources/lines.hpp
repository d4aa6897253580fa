#pragma once
// lines(paths): one item per line of text files, folders (engine/walk.hpp) or stdin ("-").
// Chunks are cut only right after a '\n', so a line is never split, however small the chunk
// size: a line longer than the chunk stays whole in one chunk. Each item is a Line: the text
// without its '\n' (and without the '\r' of a "\r\n"), and the file it came from. A last line
// without a newline counts; a file ending in '\n' has no empty line after it. Each line knows its
// byte offset in its file, so a stage can tell a file's first line (a CSV header) from the rest.
//
//   auto n = parapipe::lines({"access.log"}).filter([](const parapipe::Line& l) {
//       return l.text.find(" 404 ") != std::string_view::npos; }).count().run();
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <parapipe/engine/flow.hpp>
#include <parapipe/engine/text_source.hpp>

namespace parapipe {

/// A line of a file. Both views live only during the stage call: copy to keep.
struct Line {
    std::string_view text;     ///< without the line break
    std::string_view file;     ///< the path as the walker produced it; "<stdin>" for stdin
    std::uint64_t offset = 0;  ///< where the line starts in its file: 0 for a file's first line
};

/// The Source behind lines().
class LinesSource : public TextBackedSource {
public:
    using item_type = Line;

    LinesSource(const std::vector<std::string>& paths, std::size_t chunk_size, const WalkOptions& walk = {})
        : TextBackedSource(TextSource::open(paths, chunk_size, cut_after_newline, walk)) {}

    template <class Emit>
    void for_each(std::size_t chunk, Emit&& emit) const {
        text_->for_each_piece(chunk, [&](std::string_view text, const std::string& file, std::uint64_t begin) {
            std::size_t at = 0;
            while (at < text.size()) {
                std::size_t nl = text.find('\n', at);
                std::size_t end = nl == std::string_view::npos ? text.size() : nl;
                std::size_t stop = end;
                if (nl != std::string_view::npos && stop > at && text[stop - 1] == '\r') --stop;
                emit(Line{text.substr(at, stop - at), file, begin + at});
                at = nl == std::string_view::npos ? text.size() : nl + 1;
            }
        });
    }
};

/// A flow over the lines of `paths` ("-" or none: stdin), about `chunk_size` bytes a chunk.
inline auto lines(const std::vector<std::string>& paths, std::size_t chunk_size = std::size_t{8} << 20,
                  const WalkOptions& walk = {}) {
    return from(std::make_shared<const LinesSource>(paths, chunk_size, walk));
}

}  // namespace parapipe
