#include <parapipe/engine/text_source.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <mutex>

#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/fork_gate.hpp>

namespace parapipe {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// Files of /proc and /sys claim a size of 0 (or 4096) and cannot be mapped: read them like a
// stream, or /proc/cpuinfo would count as empty.
bool is_pseudo_file(int fd) {
    struct statfs fs {};
    if (::fstatfs(fd, &fs) != 0) return false;
    return fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC || fs.f_type == DEBUGFS_MAGIC;
}

}  // namespace

// ---- Inputs truncated while mapped --------------------------------------------------------
// Reading a mapped page that lies beyond its file's current end raises SIGBUS, so an input
// truncated by another process while we count it would kill the run without a word (or kill
// workers until the chunk fails as "killed by signal 7"). This handler maps zero pages over the
// rest of that file's mapping, so the interrupted code finishes harmlessly (NUL bytes are
// separators), and records the file; check_intact() then fails the chunk with a clear Error.
// No longjmp: the interrupted code (hash map inserts, allocations) is never left half-done.
// Faults outside our inputs go to the previous handler. Sources live in a fixed table that the
// handler reads without locks; a source finding the table full (256 alive at once) is not
// guarded and still gets the size check of check_intact().
namespace {
struct GuardSlot {
    std::atomic<const TextSource*> source{nullptr};
    std::atomic<int> readers{0};  // handlers looking at `source`: removal waits for them
};
}  // namespace

struct TextSource::Guard {
    static constexpr int slot_count = 256;
    static inline GuardSlot table[slot_count];
    static inline struct sigaction previous {};
    static inline std::uintptr_t page = 4096;

    static int add(const TextSource* src) {
        static std::once_flag once;
        std::call_once(once, [] {
            page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
            struct sigaction sa {};
            sa.sa_sigaction = on_sigbus;
            sa.sa_flags = SA_SIGINFO;
            ::sigemptyset(&sa.sa_mask);
            ::sigaction(SIGBUS, &sa, &previous);
        });
        for (int i = 0; i < slot_count; ++i) {
            const TextSource* none = nullptr;
            if (table[i].source.compare_exchange_strong(none, src)) return i;
        }
        return -1;
    }

    static void remove(int i) {
        if (i < 0) return;
        table[i].source.store(nullptr);
        while (table[i].readers.load() != 0) {
        }
    }

    // Async-signal-safe: atomics, plain reads of an immutable vector, mmap.
    static bool claim(std::uintptr_t addr) {
        for (GuardSlot& slot : table) {
            slot.readers.fetch_add(1);
            bool mine = false;
            if (const TextSource* src = slot.source.load()) {
                for (std::size_t i = 0; i < src->files_.size() && !mine; ++i) {
                    const File& f = src->files_[i];
                    const auto begin = reinterpret_cast<std::uintptr_t>(f.data);
                    const std::uintptr_t end = begin + (f.size + page - 1) / page * page;
                    if (!f.data || addr < begin || addr >= end) continue;
                    const std::uintptr_t from = addr / page * page;
                    void* p = ::mmap(reinterpret_cast<void*>(from), end - from, PROT_READ,
                                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
                    if (p == MAP_FAILED) break;
                    std::int64_t unset = -1;
                    src->faulted_file_.compare_exchange_strong(unset, static_cast<std::int64_t>(i));
                    mine = true;
                }
            }
            slot.readers.fetch_sub(1);
            if (mine) return true;
        }
        return false;
    }

    static void on_sigbus(int sig, siginfo_t* info, void* ctx) {
        const int saved = errno;
        const bool mine = claim(reinterpret_cast<std::uintptr_t>(info->si_addr));
        errno = saved;
        if (mine) return;  // the faulting read now sees zeros
        if (previous.sa_flags & SA_SIGINFO) {
            if (previous.sa_sigaction) previous.sa_sigaction(sig, info, ctx);
        } else if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
            ::sigaction(SIGBUS, &previous, nullptr);  // the read faults again, with the default action
        } else {
            previous.sa_handler(sig);
        }
    }
};

std::size_t cut_after_newline(std::string_view text, std::size_t from) {
    if (from == 0 || from >= text.size()) return std::min(from, text.size());
    if (text[from - 1] == '\n') return from;
    const std::size_t nl = text.find('\n', from);
    return nl == std::string_view::npos ? text.size() : nl + 1;
}

std::shared_ptr<const TextSource> TextSource::open(const std::vector<std::string>& paths, std::size_t chunk_size,
                                                   CutRule cut_rule, const WalkOptions& walk_options) {
    if (chunk_size == 0) throw UsageError("chunk size must be at least 1 byte");
    std::shared_ptr<TextSource> src(new TextSource());
    std::vector<std::string> inputs = walk(paths.empty() ? std::vector<std::string>{"-"} : paths, walk_options);
    // The SIGBUS handler reads files_ without locks: it must never be reallocated once guarded.
    src->files_.reserve(inputs.size());
    src->guard_slot_ = Guard::add(src.get());  // before cutting: cuts read the mappings
    src->chunk_size_ = chunk_size;
    src->rule_ = cut_rule;
    if (const char* w = std::getenv("PARAPIPE_STREAM_WINDOW"); w && *w) {
        char* end = nullptr;
        const unsigned long long v = std::strtoull(w, &end, 10);
        if (*end != '\0' || v == 0) throw UsageError(std::string("PARAPIPE_STREAM_WINDOW must be a number of bytes, not '") + w + "'");
        src->window_bytes_ = static_cast<std::size_t>(std::max<unsigned long long>(v, 4 * cut_context));
    }
    for (std::string& path : inputs) {
        if (path == "-") {
            const int fd = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
            if (fd < 0) throw UsageError("cannot read <stdin>: " + errno_text(errno));
            // `< file` at its start: a regular file (mapped, add_file); else a stream.
            struct stat st {};
            const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::lseek(fd, 0, SEEK_CUR) == 0 &&
                                 !is_pseudo_file(fd);
            if (regular) src->add_file("<stdin>", fd, chunk_size, cut_rule);
            else src->add_stream("<stdin>", fd);
            continue;
        }
        int fd = open_path(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw UsageError("cannot read " + path + ": " + errno_text(errno));
        struct stat st {};
        const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        // FIFO, character device, /proc or /sys file: read in windows.
        if (!regular || is_pseudo_file(fd)) src->add_stream(std::move(path), fd);
        else src->add_file(std::move(path), fd, chunk_size, cut_rule);  // a million names are not copied twice
    }
    if (src->pieces_.size() > src->chunk_begin_.back()) src->chunk_begin_.push_back(src->pieces_.size());
    return src;
}

namespace {

// Reads [at, at + n) of fd into out (shorter at the end of the file).
void pread_into(int fd, std::uint64_t at, std::size_t n, std::string& out, const std::string& display) {
    out.resize(n);
    std::size_t got = 0;
    while (got < n) {
        ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(at + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw UsageError("cannot read " + display + ": " + errno_text(errno));
        if (r == 0) break;
        got += static_cast<std::size_t>(r);
    }
    out.resize(got);
}

// rule(text of the file, from) for a file that is not mapped: the rule is run on a window read
// around `from`, grown until the cut it finds has cut_context bytes after it (or the file ends).
std::size_t cut_by_reading(int fd, std::size_t size, std::size_t from, CutRule rule, const std::string& display,
                           std::string& window) {
    const std::size_t begin = from - std::min(from, cut_context);
    for (std::size_t span = std::size_t{64} << 10;; span *= 2) {
        const std::size_t end = std::min(size, from + span);
        pread_into(fd, begin, end - begin, window, display);
        const bool whole = begin + window.size() >= size;  // the window reaches the end of the file
        if (!whole && window.size() < end - begin) {
            throw Error(display + " was truncated while being read (" + std::to_string(size) +
                        " bytes when opened)");
        }
        const std::size_t cut = rule(window, from - begin);
        if (whole) return begin + cut;
        if (cut + cut_context <= window.size()) return begin + cut;
    }
}

}  // namespace

void TextSource::add_stream(std::string display, int fd) {
    // A pipe of 1 MiB (the default limit of /proc/sys/fs/pipe-max-size) instead of 64 KiB: the
    // writer and this reader wake each other 16 times less often. Best effort: not a pipe, or
    // over the limit, keeps the size it has.
    ::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
    File f;
    f.name = std::move(display);
    f.stream = true;
    streams_.push_back({static_cast<std::uint32_t>(files_.size()), fd});
    files_.push_back(std::move(f));
}

void TextSource::add_file(std::string display, int fd, std::size_t chunk_size, CutRule rule) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        throw UsageError("cannot read " + display + ": " + errno_text(e));
    }
    File f;
    f.name = std::move(display);
    f.size = static_cast<std::size_t>(st.st_size);
    f.dev = st.st_dev;
    f.ino = st.st_ino;
    // A file that spans a chunk boundary is read by several chunks: map it while mappings
    // remain. A file inside one chunk is read once, by pread, when that chunk runs.
    // A path through /proc or /dev (/proc/self/fd/N of a regular file, a memfd), or a regular
    // file on stdin, names a descriptor of this process, which forked workers do not have: map it now.
    const bool spans = f.size > chunk_size - filled_;
    const bool by_descriptor = f.name.starts_with("/proc/") || f.name.starts_with("/dev/") || f.name == "<stdin>";
    if (f.size > 0 && (by_descriptor || (spans && mapped_ < max_mapped))) {
        void* p = ::mmap(nullptr, f.size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            throw UsageError("cannot read " + f.name + ": " + errno_text(e));
        }
        ::madvise(p, f.size, MADV_SEQUENTIAL);
        f.data = static_cast<const char*>(p);
        ++mapped_;
    }
    const auto fi = static_cast<std::uint32_t>(files_.size());
    total_bytes_ += f.size;
    files_.push_back(std::move(f));
    try {
        cut(fi, fd, chunk_size, rule);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
}

void TextSource::cut(std::uint32_t fi, int fd, std::size_t chunk_size, CutRule rule) {
    // Finding cuts in a mapping touches the pages around each: drop them as we go, or small
    // chunks would leave the whole input resident in the coordinator.
    const File& file = files_[fi];
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::size_t dropped = 0;
    auto drop = [&](std::size_t upto) {
        upto = upto / page * page;
        if (upto > dropped) ::madvise(const_cast<char*>(file.data) + dropped, upto - dropped, MADV_DONTNEED);
        dropped = upto;
    };
    auto close_chunk = [&] {
        if (pieces_.size() > chunk_begin_.back()) chunk_begin_.push_back(pieces_.size());
        filled_ = 0;
    };
    const std::size_t size = file.size;
    std::string window;
    std::size_t pos = 0;
    while (pos < size) {
        const std::size_t room = chunk_size - filled_;
        if (size - pos <= room) {
            pieces_.push_back({fi, pos, size});
            filled_ += size - pos;
            if (filled_ >= chunk_size) close_chunk();
            break;
        }
        const std::size_t end = file.data ? rule(std::string_view(file.data, size), pos + room)
                                          : cut_by_reading(fd, size, pos + room, rule, file.name, window);
        if (end > pos) pieces_.push_back({fi, pos, end});
        close_chunk();
        pos = end;
        if (file.data && pos - dropped >= (std::size_t{1} << 20)) drop(pos);
    }
    if (file.data) drop((size + page - 1) / page * page);
}

TextSource::~TextSource() {
    stop_reader();
    Guard::remove(guard_slot_);
    for (std::size_t i = next_stream_; i < streams_.size(); ++i) ::close(streams_[i].fd);
    if (window_) ::munmap(window_, window_cap_);
    for (auto& f : files_)
        if (f.data) ::munmap(const_cast<char*>(f.data), f.size);
}

std::uint64_t TextSource::chunk_bytes(std::size_t chunk) const {
    std::uint64_t n = 0;
    for (std::size_t p = chunk_begin_[chunk]; p < chunk_begin_[chunk + 1]; ++p) n += pieces_[p].end - pieces_[p].begin;
    return n;
}

void TextSource::check_intact(std::size_t chunk) const {
    auto truncated = [](const File& f, const std::string& now) {
        return Error(f.name + " was truncated while being read (" + std::to_string(f.size) +
                     " bytes when opened" + now + ")");
    };
    if (const std::int64_t i = faulted_file_.load(std::memory_order_relaxed); i >= 0)
        throw truncated(files_[static_cast<std::size_t>(i)], "");
    std::uint32_t last = ~std::uint32_t{0};
    for (std::size_t p = chunk_begin_[chunk]; p < chunk_begin_[chunk + 1]; ++p) {
        if (pieces_[p].file == last) continue;
        last = pieces_[p].file;
        const File& f = files_[last];
        if (f.stream) continue;  // read into window_: nobody else can change it
        // Same inode, fewer bytes: what we read may be zeros. (A file replaced by rename is a new
        // inode; the one we mapped is intact. A file that grew is counted as it was when opened.)
        struct stat st {};
        if (stat_path(f.name, st) == 0 && st.st_dev == f.dev && st.st_ino == f.ino &&
            static_cast<std::size_t>(st.st_size) < f.size)
            throw truncated(f, ", " + std::to_string(st.st_size) + " now");
    }
}

std::string_view TextSource::piece_text(const Piece& pc, std::string& buffer) const {
    const File& f = files_[pc.file];
    if (f.data) return std::string_view(f.data + pc.begin, pc.end - pc.begin);
    if (f.stream) return std::string_view(window_ + (pc.begin - window_base_), pc.end - pc.begin);
    // Read now, by path: the file must still be the one that was cut.
    const int fd = open_path(f.name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) throw Error(f.name + " was removed before it was read");
        throw Error("cannot read " + f.name + ": " + errno_text(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_dev != f.dev || st.st_ino != f.ino) {
        ::close(fd);
        throw Error(f.name + " was replaced before it was read");
    }
    try {
        pread_into(fd, pc.begin, pc.end - pc.begin, buffer, f.name);
    } catch (const UsageError& e) {
        ::close(fd);
        throw Error(e.what());
    }
    ::close(fd);
    if (buffer.size() < pc.end - pc.begin)
        throw Error(f.name + " was truncated while being read (" + std::to_string(f.size) + " bytes when opened, " +
                    std::to_string(st.st_size) + " now)");
    return buffer;
}

std::string TextSource::describe(std::size_t chunk) const {
    const Piece& first = pieces_[chunk_begin_[chunk]];
    const Piece& last = pieces_[chunk_begin_[chunk + 1] - 1];
    auto range = [](const Piece& p) { return "bytes [" + std::to_string(p.begin) + ", " + std::to_string(p.end) + ")"; };
    if (first.file == last.file && chunk_begin_[chunk + 1] - chunk_begin_[chunk] == 1)
        return files_[first.file].name + " " + range(first);
    return files_[first.file].name + " " + range(first) + " .. " + files_[last.file].name + " " + range(last);
}

void TextSource::release(std::size_t chunk) const {
    // A read fault maps the whole page-cache folio around it (up to 2 MiB on x86-64), so reading
    // a chunk also maps pages of its neighbours. A worker process never reads those neighbours
    // and would keep them resident for good (measured: ~1 MiB per 8 MiB chunk, without bound):
    // drop out to 2 MiB boundaries. Pages another thread still reads are simply faulted again.
    constexpr std::size_t folio = std::size_t{2} << 20;
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    for (std::size_t p = chunk_begin_[chunk]; p < chunk_begin_[chunk + 1]; ++p) {
        const Piece& pc = pieces_[p];
        const File& f = files_[pc.file];
        if (!f.data) continue;  // read into a buffer that is already gone, or a stream's window
        const std::size_t mapped = (f.size + page - 1) / page * page;
        const std::size_t from = pc.begin / folio * folio;
        const std::size_t to = std::min(mapped, (pc.end + folio - 1) / folio * folio);
        if (to > from) ::madvise(const_cast<char*>(f.data) + from, to - from, MADV_DONTNEED);
    }
}


// ---- Streams, in windows ------------------------------------------------------------------
// window_ holds [window_base_, window_base_ + window_len_) of the current stream. Chunks start at
// window_start_; up to cut_context bytes before it are kept, so a rule sees the same context as
// in a file. The first window (and one grown for a long record) is read by fill_window() while
// no chunk runs; the next is read ahead by the Reader below while the chunks of this one run.

// The reader is one thread for the whole run, parked between windows: a thread that starts or
// exits while a process mode forks can leave a runtime's lock held in the child (fork_gate.hpp),
// so it holds a ForkGate pass and waits (poll, or for its next window) outside the gate.
struct TextSource::Reader {
    char* buffer = nullptr;  // the spare window
    std::size_t capacity = 0;
    std::size_t from = 0;          // the window's tail ends here: reading starts here
    std::size_t start = 0;         // where the next chunk starts in buffer
    std::uint64_t base = 0;        // stream offset of buffer[0]
    std::size_t got = 0;           // bytes read
    bool eof = false;
    int error = 0;                 // errno of a failed read
    int fd = -1;                   // the stream being read
    std::atomic<bool> stop{false};  // abandon the read under way
    bool asked = false;            // the coordinator's: a window was asked for and not taken yet
    bool busy = false;             // under mutex: a window was asked for and is not read yet
    bool quit = false;             // under mutex: the thread returns
    std::mutex mutex;
    std::condition_variable cv;
    ForkGate::Thread thread;

    ~Reader() {
        if (buffer) ::munmap(buffer, capacity);
    }
    void run(ForkGate::Pass& pass) {
        for (;;) {
            {
                std::unique_lock lock(mutex);
                pass.aside([&] { cv.wait(lock, [&] { return busy || quit; }); });
                if (quit) break;
            }
            read_window(pass);
            {
                std::lock_guard lock(mutex);
                busy = false;
            }
            cv.notify_all();
        }
    }
    void read_window(ForkGate::Pass& pass) {
        while (from + got < capacity && !stop.load(std::memory_order_relaxed)) {
            pollfd p{fd, POLLIN, 0};
            int err = 0;
            const int ready = pass.aside([&] {
                const int n = ::poll(&p, 1, 100);
                err = errno;
                return n;
            });
            if (ready < 0 && err != EINTR) {
                error = err;
                return;
            }
            if (ready <= 0) continue;
            const ssize_t r = ::read(fd, buffer + from + got, capacity - from - got);
            if (r < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                error = errno;
                return;
            }
            if (r == 0) {
                eof = true;
                return;
            }
            got += static_cast<std::size_t>(r);
        }
    }
};

void TextSource::start_reader() const {
    if (stream_ended_) return;  // nothing follows: the next window is the tail alone
    if (!reader_) reader_ = std::make_unique<Reader>();
    Reader& r = *reader_;
    const std::size_t keep_from = window_start_ - std::min(window_start_, cut_context);
    const std::size_t tail = window_len_ - keep_from;
    const std::size_t need = std::max(window_bytes_, tail + window_bytes_ / 2);
    if (r.capacity != need && (r.capacity < need || r.capacity > window_bytes_)) {
        if (r.buffer) ::munmap(r.buffer, r.capacity);
        r.buffer = nullptr;
        r.capacity = 0;
        // Populated at once: a reader starts only when the stream is longer than a window.
        void* p = ::mmap(nullptr, need, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) throw Error("cannot allocate a window of " + std::to_string(need) + " bytes for " +
                                         files_[streams_[next_stream_].file].name + ": " + errno_text(errno));
        r.buffer = static_cast<char*>(p);
        r.capacity = need;
    }
    std::memcpy(r.buffer, window_ + keep_from, tail);
    r.from = tail;
    r.start = window_start_ - keep_from;
    r.base = window_base_ + keep_from;
    r.got = 0;
    r.eof = false;
    r.error = 0;
    r.fd = streams_[next_stream_].fd;
    r.stop = false;
    if (!r.thread.joinable()) {
        // Every signal blocked in the reader: they stay with the threads that expect them.
        sigset_t all, old;
        ::sigfillset(&all);
        ::pthread_sigmask(SIG_SETMASK, &all, &old);
        try {
            r.thread = ForkGate::Thread([&r](ForkGate::Pass& pass) { r.run(pass); });
        } catch (...) {
            ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
            throw;
        }
        ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    }
    {
        std::lock_guard lock(r.mutex);
        r.busy = true;
    }
    r.asked = true;
    r.cv.notify_all();
}

void TextSource::take_reader(const WindowContext& ctx) const {
    Reader& r = *reader_;
    {
        std::unique_lock lock(r.mutex);
        while (r.busy) {
            r.cv.wait_for(lock, std::chrono::milliseconds(100));
            if (ctx.cancel)
                if (const int sig = ctx.cancel->load(std::memory_order_relaxed)) {
                    lock.unlock();
                    stop_reader();
                    throw Interrupted(sig);
                }
        }
    }
    r.asked = false;
    if (r.error) throw UsageError("cannot read " + files_[streams_[next_stream_].file].name + ": " + errno_text(r.error));
    std::swap(window_, r.buffer);
    std::swap(window_cap_, r.capacity);
    window_len_ = r.from + r.got;
    window_start_ = r.start;
    window_base_ = r.base;
    stream_ended_ = r.eof;
    total_bytes_ += r.got;
    if (ctx.progress) ctx.progress->fetch_add(r.got, std::memory_order_relaxed);
}

void TextSource::stop_reader() const noexcept {
    if (!reader_ || !reader_->thread.joinable()) return;
    Reader& r = *reader_;
    r.stop = true;
    {
        std::lock_guard lock(r.mutex);
        r.quit = true;
    }
    r.cv.notify_all();
    r.thread.join();
    r.asked = false;
    r.quit = false;
}

std::size_t TextSource::next_window(const WindowContext& ctx) const {
    if (ctx.window == 0 && started_) {
        const std::string name = streams_.empty() ? "the input" : files_[streams_.front().file].name;
        throw UsageError(name + " is a stream and was read by an earlier run: a stream can be read once");
    }
    started_ = true;
    if (!files_handed_) {
        files_handed_ = true;
        if (chunk_count() > 0) {
            if (ctx.progress) ctx.progress->fetch_add(total_bytes_, std::memory_order_relaxed);
            chunks_handed_ += chunk_count();
            return chunk_count();
        }
    }
    pieces_.clear();
    chunk_begin_.assign(1, 0);
    while (next_stream_ < streams_.size()) {
        if (reader_ && reader_->asked) take_reader(ctx);  // the tail of the last window, then what the reader read
        // Carry the tail of the last window (and cut_context bytes before it) to the front.
        const std::size_t keep_from = window_start_ - std::min(window_start_, cut_context);
        if (keep_from > 0) {
            std::memmove(window_, window_ + keep_from, window_len_ - keep_from);
            window_len_ -= keep_from;
            window_start_ -= keep_from;
            window_base_ += keep_from;
        }
        // First window, or the window grew for a long record that is now done (give it back).
        if (window_cap_ < window_bytes_ || (window_cap_ > window_bytes_ && window_len_ <= window_bytes_))
            resize_window(window_bytes_);
        for (;;) {
            fill_window(ctx);
            if (const std::size_t n = cut_window()) {
                chunks_handed_ += n;
                start_reader();  // reads what follows while these chunks run
                return n;
            }
            if (stream_ended_) break;
            // A full window without a decided cut: one record longer than the window.
            resize_window(window_cap_ * 2);
        }
        ::close(streams_[next_stream_].fd);
        ++next_stream_;
        window_len_ = window_start_ = 0;
        window_base_ = 0;
        stream_ended_ = false;
    }
    resize_window(0);
    stop_reader();
    reader_.reset();
    pieces_.clear();
    chunk_begin_.assign(1, 0);
    return 0;
}

void TextSource::fill_window(const WindowContext& ctx) const {
    const Stream& s = streams_[next_stream_];
    const std::string& name = files_[s.file].name;
    // Page faults are dear (one per 4 KiB page): map the pages to be read 4 MiB at a time, only
    // as far as the stream goes, so a small stream costs no more than its size.
    constexpr std::size_t populate_step = std::size_t{4} << 20;
    std::size_t populated = window_len_;
    while (window_len_ < window_cap_ && !stream_ended_) {
        if (window_len_ + (std::size_t{64} << 10) > populated && populated < window_cap_) {
            const std::size_t n = std::min(populate_step, window_cap_ - populated);
            const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
            const std::size_t from = populated / page * page;
            ::madvise(window_ + from, populated + n - from, MADV_POPULATE_WRITE);  // best effort
            populated += n;
        }
        // Wait in short polls, so a cancel (Ctrl-C) stops a reader that no data comes to.
        pollfd p{s.fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, 100);
        if (ctx.cancel)
            if (const int sig = ctx.cancel->load(std::memory_order_relaxed)) throw Interrupted(sig);
        if (ready < 0 && errno != EINTR) throw UsageError("cannot read " + name + ": " + errno_text(errno));
        if (ready <= 0) continue;
        const ssize_t r = ::read(s.fd, window_ + window_len_, window_cap_ - window_len_);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw UsageError("cannot read " + name + ": " + errno_text(errno));
        }
        if (r == 0) {
            stream_ended_ = true;
            break;
        }
        window_len_ += static_cast<std::size_t>(r);
        total_bytes_ += static_cast<std::uint64_t>(r);
        if (ctx.progress) ctx.progress->fetch_add(static_cast<std::uint64_t>(r), std::memory_order_relaxed);
    }
}

void TextSource::resize_window(std::size_t capacity) const {
    // Pages are touched only as the stream fills them.
    void* p = capacity ? ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) : nullptr;
    if (p == MAP_FAILED) throw Error("cannot allocate a window of " + std::to_string(capacity) + " bytes for " +
                                     files_[streams_[next_stream_].file].name + ": " + errno_text(errno));
    if (window_len_ > 0 && p) std::memcpy(p, window_, window_len_);
    if (window_) ::munmap(window_, window_cap_);
    window_ = static_cast<char*>(p);
    window_cap_ = capacity;
}

std::size_t TextSource::cut_window() const {
    const auto fi = streams_[next_stream_].file;
    const std::string_view text(window_, window_len_);
    const std::size_t chunk = std::min(chunk_size_, std::max<std::size_t>(1, window_bytes_ / 8));
    std::size_t pos = window_start_;
    while (pos < window_len_) {
        std::size_t end = window_len_;
        if (window_len_ - pos > chunk) {
            end = rule_(text, pos + chunk);
            // Decided only with cut_context bytes after it (engine CutRule), or at the stream's end.
            if (!stream_ended_ && end + cut_context > window_len_) break;
        } else if (!stream_ended_) {
            break;  // less than a chunk left: it goes with the next window
        }
        if (end > pos) {
            pieces_.push_back({fi, static_cast<std::size_t>(window_base_ + pos), static_cast<std::size_t>(window_base_ + end)});
            chunk_begin_.push_back(pieces_.size());
        }
        pos = end;
    }
    window_start_ = pos;
    return chunk_count();
}

}  // namespace parapipe
