#pragma once
// A sorted run on disk: records [u8 partition][u32 key length][key][u32 value length][value],
// the value in the engine's serialized form (engine/serialize.hpp), written and read through a
// buffer. The writer's caller sorts; a run is sorted by (partition, key bytes) for keyed partials
// (PartitionedTable partition, so a table spills partition by partition) or by any order the
// reader's merge is given (engine/spill/merge.hpp). Every I/O error throws Error naming the folder.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/serialize.hpp>
#include <parapipe/engine/spill/folder.hpp>

namespace parapipe::spill {

// Per open run: a merge opens up to fan_in of them (engine/spill/merge.hpp).
inline constexpr std::size_t buffer_bytes = std::size_t{64} << 10;

class RunWriter {
public:
    RunWriter(SpillFolder& folder, const char* prefix = "run") : folder_(folder), path_(folder.new_run(prefix)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd_ < 0) folder_.fail("spilling", errno);
        buf_.reserve(buffer_bytes);
    }
    ~RunWriter() {
        if (fd_ >= 0) {
            ::close(fd_);
            ::unlink(path_.c_str());  // not closed: left by an error, it is no run
        }
    }
    RunWriter(const RunWriter&) = delete;
    RunWriter& operator=(const RunWriter&) = delete;

    template <class V>
    void add(std::uint8_t partition, std::string_view key, const V& value) {
        value_.buffer().clear();
        serialize(value_, value);
        const auto k = static_cast<std::uint32_t>(key.size());
        const auto v = static_cast<std::uint32_t>(value_.buffer().size());
        put(&partition, 1);
        put(&k, 4);
        put(key.data(), key.size());
        put(&v, 4);
        put(value_.buffer().data(), v);
    }
    /// Appends bytes of a run written elsewhere, as they came (a run another mpi rank sends).
    void raw(const char* p, std::size_t n) { put(p, n); }
    /// Flushes and closes: the run is complete.
    const std::string& close() {
        flush();
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) {
            const int err = errno;
            ::unlink(path_.c_str());
            folder_.fail("spilling", err);
        }
        return path_;
    }

private:
    void put(const void* p, std::size_t n) {
        if (buf_.size() + n > buffer_bytes) flush();
        if (n > buffer_bytes) return write_out(static_cast<const char*>(p), n);
        buf_.append(static_cast<const char*>(p), n);
    }
    void flush() {
        write_out(buf_.data(), buf_.size());
        buf_.clear();
    }
    void write_out(const char* p, std::size_t n) {
        while (n > 0) {
            const ssize_t w = ::write(fd_, p, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) folder_.fail("spilling", w < 0 ? errno : ENOSPC);
            p += w;
            n -= static_cast<std::size_t>(w);
        }
    }

    SpillFolder& folder_;
    std::string path_;
    int fd_ = -1;
    std::string buf_;
    Writer value_;
};

/// Calls piece(const char*, std::size_t, bool last) for the bytes of run `path` in pieces of at
/// most `piece_bytes`, through one buffer: never the whole run in memory. An empty run is one
/// empty last piece.
template <class Piece>
void read_run_bytes(const SpillFolder& folder, const std::string& path, std::size_t piece_bytes, Piece&& piece) {
    auto fail = [&](int err) {
        throw Error("cannot read spilled run " + path + " in " + folder.path() + " (" + std::strerror(err) + ")");
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(errno);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail(errno);
    std::size_t left = static_cast<std::size_t>(st.st_size);
    std::unique_ptr<char[]> buf(new char[std::min(std::max<std::size_t>(left, 1), piece_bytes)]);
    do {
        const std::size_t n = std::min(left, piece_bytes);
        for (std::size_t done = 0; done < n;) {
            const ssize_t r = ::read(fd, buf.get() + done, n - done);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) fail(errno);
            if (r == 0) throw Error("spilled run " + path + " is truncated");
            done += static_cast<std::size_t>(r);
        }
        left -= n;
        piece(static_cast<const char*>(buf.get()), n, left == 0);
    } while (left > 0);
}

/// Reads a run record by record: next() then partition(), key(), value<V>().
class RunReader {
public:
    RunReader(const SpillFolder& folder, std::string path) : folder_(&folder), path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) fail(errno);
    }
    ~RunReader() {
        if (fd_ >= 0) ::close(fd_);
    }
    RunReader(RunReader&& o) noexcept
        : folder_(o.folder_), path_(std::move(o.path_)), fd_(o.fd_), buf_(std::move(o.buf_)), at_(o.at_),
          end_(o.end_), partition_(o.partition_), key_(std::move(o.key_)), value_(std::move(o.value_)) {
        o.fd_ = -1;
    }
    RunReader& operator=(RunReader&&) = delete;

    /// The next record; false at the end of the run.
    bool next() {
        if (!fill(1)) return false;
        partition_ = static_cast<std::uint8_t>(buf_[at_]);
        ++at_;
        key_.assign(field(), 0);
        read_into(key_);
        value_.assign(field(), 0);
        read_into(value_);
        return true;
    }
    std::uint8_t partition() const { return partition_; }
    std::string_view key() const { return key_; }
    template <class V>
    void value(V& out) const {
        Reader r(value_.data(), value_.size());
        deserialize(r, out);
    }
    const std::string& path() const { return path_; }

private:
    std::uint32_t field() {
        std::uint32_t n;
        if (!fill(4)) truncated();
        std::memcpy(&n, buf_.get() + at_, 4);
        at_ += 4;
        return n;
    }
    void read_into(std::string& s) {
        for (std::size_t done = 0; done < s.size();) {
            if (at_ == end_ && !fill(1)) truncated();
            const std::size_t n = std::min(s.size() - done, end_ - at_);
            std::memcpy(s.data() + done, buf_.get() + at_, n);
            at_ += n;
            done += n;
        }
    }
    // At least n bytes buffered (n <= 4); false at a clean end of file.
    bool fill(std::size_t n) {
        if (end_ - at_ >= n) return true;
        if (!buf_) buf_.reset(new char[buffer_bytes]);  // not zeroed: a merge opens many
        std::memmove(buf_.get(), buf_.get() + at_, end_ - at_);
        end_ -= at_;
        at_ = 0;
        while (end_ < n) {
            const ssize_t r = ::read(fd_, buf_.get() + end_, buffer_bytes - end_);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) fail(errno);
            if (r == 0) break;
            end_ += static_cast<std::size_t>(r);
        }
        if (end_ == 0) return false;
        if (end_ < n) truncated();
        return true;
    }
    [[noreturn]] void truncated() const { throw Error("spilled run " + path_ + " is truncated"); }
    [[noreturn]] void fail(int err) const {
        throw Error("cannot read spilled run " + path_ + " (" + std::strerror(err) + ")");
    }

    const SpillFolder* folder_;
    std::string path_;
    int fd_ = -1;
    std::unique_ptr<char[]> buf_;
    std::size_t at_ = 0, end_ = 0;
    std::uint8_t partition_ = 0;
    std::string key_, value_;
};

}  // namespace parapipe::spill
