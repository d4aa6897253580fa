#pragma once
// Text input: files, directories (engine/walk.hpp), or stdin / named pipes. Inputs are cut into
// chunks of about `chunk_size` bytes, only where the source's CutRule allows (after a newline for
// lines(), between words for text_files()): a record is never split; small files share a chunk;
// a record longer than the chunk size stays whole.
// Any number of files: at open time each file is opened once, stat'ed, and (when it spans a
// chunk boundary) read in small windows around its cuts, then closed. Files are read only while
// their chunk runs (pread into a buffer, one file open at a time per reader), so neither open
// files nor mappings grow with the number of inputs. The first files that span several chunks
// (up to max_mapped) are memory-mapped instead (no copy; the mapping is inherited by forked
// workers, so a large file deleted or renamed away mid-run is still counted as opened).
// Streams (and /proc, /sys files) are spooled to an unlinked temporary file first, then mapped,
// so every mode (including forked workers) sees them the same way.
// Read-only after construction: thread-safe and fork-safe.
// An input truncated by someone else while it is read fails the chunk with a clear Error
// (a SIGBUS on its mapping is caught, see text_source.cpp), never a crash; a file read lazily
// that was removed or replaced before its chunk ran fails the chunk with a clear Error too.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <parapipe/engine/walk.hpp>

namespace parapipe {

/// Where a text may be cut: the first position >= `from` (and <= text.size()) at which a chunk
/// may end without splitting a record. Must return text.size() when no such place exists.
/// A rule sees a window of the file: it may look at most cut_context bytes before `from` and
/// must decide a cut from at most cut_context bytes after it.
using CutRule = std::size_t (*)(std::string_view text, std::size_t from);
inline constexpr std::size_t cut_context = 64;

/// Cuts only right after a '\n' (or at the end): lines() uses it.
std::size_t cut_after_newline(std::string_view text, std::size_t from);

class TextSource {
public:
    /// Opens every path ("-" or an empty list: stdin). Throws UsageError naming the first
    /// missing or unreadable path. Directories are walked with engine/walk.hpp.
    static std::shared_ptr<const TextSource> open(const std::vector<std::string>& paths, std::size_t chunk_size,
                                                  CutRule cut_rule, const WalkOptions& walk = {});

    ~TextSource();
    TextSource(const TextSource&) = delete;
    TextSource& operator=(const TextSource&) = delete;

    std::size_t chunk_count() const { return chunk_begin_.size() - 1; }
    std::uint64_t total_bytes() const { return total_bytes_; }
    std::size_t file_count() const { return files_.size(); }

    /// Calls f(std::string_view text) -- or f(text, const std::string& file), or f(text, file,
    /// std::uint64_t offset of the text in its file) -- for each piece (one per file) of a chunk.
    /// The text lives during the call only.
    template <class F>
    void for_each_piece(std::size_t chunk, F&& f) const {
        std::string buffer;  // a lazily read piece
        for (std::size_t p = chunk_begin_[chunk]; p < chunk_begin_[chunk + 1]; ++p) {
            const Piece& pc = pieces_[p];
            const File& file = files_[pc.file];
            const std::string_view text = piece_text(pc, buffer);
            if constexpr (std::is_invocable_v<F&, std::string_view, const std::string&, std::uint64_t>)
                f(text, file.name, std::uint64_t{pc.begin});
            else if constexpr (std::is_invocable_v<F&, std::string_view, const std::string&>) f(text, file.name);
            else f(text);
        }
        check_intact(chunk);
    }
    std::uint64_t chunk_bytes(std::size_t chunk) const;
    /// "a.txt bytes [0, 8388608)" (first and last file of the chunk).
    std::string describe(std::size_t chunk) const;
    /// Drops the chunk's pages from this process's memory (they are re-read if touched again).
    void release(std::size_t chunk) const;
    /// How many files are memory-mapped (the others are read per chunk).
    std::size_t mapped_count() const { return mapped_; }

    /// At most this many files of one source are mapped at once (vm.max_map_count is 65,530).
    static constexpr std::size_t max_mapped = 1024;

private:
    TextSource() = default;
    struct File {
        std::string name;
        const char* data = nullptr;
        std::size_t size = 0;
        bool spooled = false;  // private temporary copy of a stream: nobody else can change it
        std::uint64_t dev = 0, ino = 0;
    };
    struct Guard;  // the SIGBUS handler (text_source.cpp)
    friend struct Guard;
    struct Piece {
        std::uint32_t file;
        std::size_t begin, end;
    };
    /// Notes a file open at fd, cuts it (continuing the chunk being filled), maps it when it
    /// spans a chunk boundary and mappings remain (or when `spooled`), and closes fd.
    void add_file(std::string display, int fd, bool spooled, std::size_t chunk_size, CutRule rule);
    /// The text of a piece: in its mapping, or read into `buffer` (a file read lazily).
    std::string_view piece_text(const Piece& pc, std::string& buffer) const;
    /// Adds the pieces of file fi (open at fd, or mapped) to the chunks.
    void cut(std::uint32_t fi, int fd, std::size_t chunk_size, CutRule rule);
    /// Throws Error when a file of the chunk was truncated while being read.
    void check_intact(std::size_t chunk) const;

    std::vector<File> files_;
    std::vector<Piece> pieces_;
    std::vector<std::size_t> chunk_begin_{0};
    std::uint64_t total_bytes_ = 0;
    std::size_t filled_ = 0;  // bytes in the chunk being built (while opening)
    std::size_t mapped_ = 0;
    int guard_slot_ = -1;
    mutable std::atomic<std::int64_t> faulted_file_{-1};  // set by the SIGBUS handler
};

/// What every Source over a TextSource (lines(), text_files()) says the same way: chunks,
/// weights, descriptions and releases are the text's own. A source adds item_type and for_each.
class TextBackedSource {
public:
    explicit TextBackedSource(std::shared_ptr<const TextSource> text) : text_(std::move(text)) {}

    std::size_t chunk_count() const { return text_->chunk_count(); }
    std::uint64_t weight(std::size_t chunk) const { return text_->chunk_bytes(chunk); }
    std::string describe(std::size_t chunk) const { return text_->describe(chunk); }
    void release(std::size_t chunk) const { text_->release(chunk); }

    const TextSource& text() const { return *text_; }

protected:
    std::shared_ptr<const TextSource> text_;
};

}  // namespace parapipe
