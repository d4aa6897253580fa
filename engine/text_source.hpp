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
// Streams (stdin "-", FIFOs, character devices, /proc and /sys files) are never copied to disk:
// they are read in windows of bounded memory (streamed(), next_window()). The
// regular files are window 0 (their chunks, cut at open, as above); then each stream, in the
// order given, is read into a window buffer of window_bytes (default 64 MiB, or the environment
// variable PARAPIPE_STREAM_WINDOW in bytes, at least 256), cut with the CutRule into chunks of
// min(chunk_size, window / 8) bytes (so a window keeps 2 workers busy with 4 chunks each, and
// more workers with the default chunk size of 8 MiB), and the tail after the last cut (a record
// not yet complete) is carried to the next window. A record longer than a window grows the
// buffer for that record only. Offsets (for_each_piece, describe) stay offsets in the stream.
// A stream is read once: a second run of the same source is a UsageError. Standard input that
// is a regular file at its start (`< file`) is not a stream: it is mapped like a file.
// Reading overlaps the work: while a window's chunks run, a reader thread fills a second window
// buffer (so a stream needs 2 windows of memory); it only polls and reads into memory allocated
// before it started, and stands aside at every fork of the process (engine/fork_gate.hpp), so a
// process mode may fork meanwhile. The first window, and a window grown for a long record, are
// read by next_window() itself.
// Read-only after construction, except next_window(), which replaces the current window: it
// must be called only while no chunk of the source runs (run() does so, between windows, in the
// coordinator; forked workers are forked per window and inherit the window). Otherwise
// thread-safe and fork-safe.
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

#include <parapipe/engine/plan.hpp>
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

    /// Chunks of the current window (of the whole input when nothing is streamed).
    std::size_t chunk_count() const { return chunk_begin_.size() - 1; }
    /// Bytes of the input; for streams, the bytes read so far.
    std::uint64_t total_bytes() const { return total_bytes_; }
    std::size_t file_count() const { return files_.size(); }
    /// Chunks of every window handed out so far (chunk_count() when nothing is streamed).
    std::size_t total_chunk_count() const { return streamed() ? chunks_handed_ : chunk_count(); }

    /// True when an input is a stream: the chunks come in windows (next_window()).
    bool streamed() const { return !streams_.empty(); }
    /// Readies the next window and returns its chunk count, 0 when every input is exhausted:
    /// first the regular files' chunks (when there are any), then windows of each stream.
    /// Blocks while a stream has no data (polling ctx.cancel: Interrupted when it is set), adds
    /// the bytes read to ctx.progress. Only while no chunk runs (see the top of this file).
    /// Throws UsageError on a read error, naming the stream, and when the input was already read.
    std::size_t next_window(const WindowContext& ctx = {}) const;
    /// Bytes of a stream window (before a longer record grows it).
    std::size_t window_bytes() const { return window_bytes_; }
    static constexpr std::size_t default_window_bytes = std::size_t{64} << 20;

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
        bool stream = false;  // read in windows: its pieces are in window_
        std::uint64_t dev = 0, ino = 0;
    };
    struct Guard;  // the SIGBUS handler (text_source.cpp)
    friend struct Guard;
    struct Piece {
        std::uint32_t file;
        std::size_t begin, end;
    };
    /// Notes a file open at fd, cuts it (continuing the chunk being filled), maps it when it
    /// spans a chunk boundary and mappings remain, and closes fd.
    void add_file(std::string display, int fd, std::size_t chunk_size, CutRule rule);
    /// Notes a stream open at fd, read later by next_window (which closes fd).
    void add_stream(std::string display, int fd);
    /// Reads into window_ from the current stream until it is full or at its end.
    void fill_window(const WindowContext& ctx) const;
    /// Cuts window_ from window_start_ into chunks; returns how many (0: the window holds no
    /// decided cut yet, or nothing).
    std::size_t cut_window() const;
    /// Gives window_ `capacity` bytes, keeping its data.
    void resize_window(std::size_t capacity) const;
    /// Starts the reader on the spare buffer: the current window's tail, then what follows.
    void start_reader() const;
    /// Waits for the reader (polling ctx.cancel), then makes the spare buffer the window.
    void take_reader(const WindowContext& ctx) const;
    /// Stops and joins the reader, if any.
    void stop_reader() const noexcept;
    /// The text of a piece: in its mapping, or read into `buffer` (a file read lazily).
    std::string_view piece_text(const Piece& pc, std::string& buffer) const;
    /// Adds the pieces of file fi (open at fd, or mapped) to the chunks.
    void cut(std::uint32_t fi, int fd, std::size_t chunk_size, CutRule rule);
    /// Throws Error when a file of the chunk was truncated while being read.
    void check_intact(std::size_t chunk) const;

    std::vector<File> files_;
    // The current window's chunks (mutable: next_window() replaces them; see the top of this file).
    mutable std::vector<Piece> pieces_;
    mutable std::vector<std::size_t> chunk_begin_{0};
    mutable std::uint64_t total_bytes_ = 0;
    // Streams, in input order, and the state of reading them (next_window()).
    struct Stream {
        std::uint32_t file;
        int fd;
    };
    std::vector<Stream> streams_;
    std::size_t chunk_size_ = 0;
    CutRule rule_ = nullptr;
    std::size_t window_bytes_ = default_window_bytes;
    mutable std::size_t next_stream_ = 0;        // index in streams_ of the stream being read
    mutable bool files_handed_ = false;          // window 0 (the regular files) was handed out
    mutable bool started_ = false;               // next_window() was called: a later run cannot read it
    // The window buffer: shared anonymous memory, so forked workers read the very pages the
    // coordinator fills (a private copy-on-write buffer would fault on every page that the
    // coordinator refills after a window's fork: measured +80% CPU in processes mode).
    mutable char* window_ = nullptr;
    mutable std::size_t window_cap_ = 0;
    mutable std::size_t window_len_ = 0;         // bytes of window_ that hold data
    mutable std::size_t window_start_ = 0;       // where the next chunk starts in window_
    mutable std::uint64_t window_base_ = 0;      // stream offset of window_[0]
    mutable bool stream_ended_ = false;          // the current stream reached its end
    mutable std::size_t chunks_handed_ = 0;
    // Double buffering: while a window's chunks run, a reader thread fills the spare buffer with
    // what follows (the window's tail first). One thread for all the streams, parked between
    // windows, with every signal blocked and a ForkGate pass: a process mode may fork meanwhile.
    struct Reader;  // text_source.cpp
    mutable std::unique_ptr<Reader> reader_;
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
    /// A stream input: chunks come in windows (see TextSource).
    bool streamed() const { return text_->streamed(); }
    std::size_t next_window(const WindowContext& ctx) const { return text_->next_window(ctx); }
    std::uint64_t weight(std::size_t chunk) const { return text_->chunk_bytes(chunk); }
    std::string describe(std::size_t chunk) const { return text_->describe(chunk); }
    void release(std::size_t chunk) const { text_->release(chunk); }

    const TextSource& text() const { return *text_; }

protected:
    std::shared_ptr<const TextSource> text_;
};

}  // namespace parapipe
