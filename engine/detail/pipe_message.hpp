#pragma once
// One serialized message through a worker's pipe, never held whole on either side: send_pieces()
// writes a Writer's pieces (a huge key straight from its table, Writer(borrow_from)), and a
// PipeReader is deserialized from as the bytes arrive (a huge key read straight into the record
// that keeps it, engine/reduce/string_table_codec.hpp). The peer reads while this side writes.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <parapipe/engine/detail/worker_process.hpp>
#include <parapipe/engine/serialize.hpp>

namespace parapipe::detail {

/// Spans a Writer borrows rather than copies when the message goes down a pipe.
inline constexpr std::size_t pipe_borrow_from = std::size_t{1} << 20;

/// The writer went away before the end of its message.
struct PipeClosed : std::runtime_error {
    PipeClosed() : std::runtime_error("pipe closed in the middle of a message") {}
};

/// Writes every piece of w to fd, in order; false if the reader went away.
inline bool send_pieces(int fd, const Writer& w) {
    return w.for_each_piece([&](const char* p, std::size_t n) { return write_all(fd, p, n); });
}

/// A Reader over the next n bytes of fd: read 64 KiB at a time, a large span straight into its
/// destination. Throws PipeClosed if the writer goes away first. Not thread-safe.
class PipeReader final : public Reader {
public:
    PipeReader(int fd, std::uint64_t n) : fd_(fd) { unread_ = n; }

    /// Reads and drops what is left of the message, so that the pipe stays in step with the
    /// messages. False if the writer went away.
    bool skip_rest() {
        try {
            p_ = end_;
            while (unread_ > 0) {
                refill(static_cast<std::size_t>(std::min<std::uint64_t>(unread_, step)));
                p_ = end_;
            }
            return true;
        } catch (const PipeClosed&) {
            return false;
        }
    }

private:
    static constexpr std::size_t step = std::size_t{64} << 10;

    void refill(std::size_t n) override {
        const std::size_t have = buffered();
        const std::size_t want = std::max<std::size_t>(n, static_cast<std::size_t>(std::min<std::uint64_t>(step, have + unread_)));
        if (want > cap_) {
            std::unique_ptr<char[]> fresh(new char[want]);  // not zeroed: read over at once
            if (have > 0) std::memcpy(fresh.get(), p_, have);
            buf_ = std::move(fresh);
            cap_ = want;
        } else if (have > 0) {
            std::memmove(buf_.get(), p_, have);
        }
        const std::size_t more = want - have;
        if (!read_all(fd_, buf_.get() + have, more)) throw PipeClosed();
        unread_ -= more;
        p_ = buf_.get();
        end_ = buf_.get() + want;
    }
    void read_direct(char* out, std::size_t n) override {
        if (!read_all(fd_, out, n)) throw PipeClosed();
        unread_ -= n;
    }

    int fd_;
    std::unique_ptr<char[]> buf_;
    std::size_t cap_ = 0;
};

}  // namespace parapipe::detail
