#include "engine/text_source.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "engine/errors.hpp"
#include "engine/utf8.hpp"

namespace parapipe {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// Copies a stream (stdin, a FIFO) into an unlinked temporary file that can be mapped.
int spool(int in, const std::string& display) {
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = tmp && *tmp ? tmp : "/tmp";
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) throw Error("cannot spool " + display + " to " + dir + ": " + errno_text(errno));
    std::vector<char> buf(1 << 20);
    for (;;) {
        ssize_t r = ::read(in, buf.data(), buf.size());
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            ::close(fd);
            throw UsageError("cannot read " + display + ": " + errno_text(e));
        }
        if (r == 0) break;
        for (ssize_t off = 0; off < r;) {
            ssize_t w = ::write(fd, buf.data() + off, static_cast<std::size_t>(r - off));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                int e = errno;
                ::close(fd);
                throw Error("cannot spool " + display + " to " + dir + ": " + errno_text(e));
            }
            off += w;
        }
    }
    return fd;
}

}  // namespace

std::shared_ptr<const TextSource> TextSource::open(const std::vector<std::string>& paths, std::size_t chunk_size) {
    if (chunk_size == 0) throw UsageError("chunk size must be at least 1 byte");
    std::shared_ptr<TextSource> src(new TextSource());
    std::vector<std::string> inputs = paths.empty() ? std::vector<std::string>{"-"} : paths;
    for (const std::string& path : inputs) {
        if (path == "-") {
            src->add_file("<stdin>", spool(STDIN_FILENO, "<stdin>"));
            continue;
        }
        std::error_code ec;
        auto st = fs::status(path, ec);
        if (ec || !fs::exists(st)) throw UsageError("no such file or directory: " + path);
        if (fs::is_directory(st)) {
            std::vector<std::string> found;
            try {
                for (fs::recursive_directory_iterator it(path), end; it != end; ++it) {
                    if (it->is_regular_file()) found.push_back(it->path().string());
                }
            } catch (const fs::filesystem_error& e) {
                throw UsageError("cannot read directory " + e.path1().string() + ": " + e.code().message());
            }
            std::sort(found.begin(), found.end());
            for (const auto& f : found) {
                int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
                if (fd < 0) throw UsageError("cannot read " + f + ": " + errno_text(errno));
                src->add_file(f, fd);
            }
            continue;
        }
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw UsageError("cannot read " + path + ": " + errno_text(errno));
        if (!fs::is_regular_file(st)) {  // FIFO, character device: spool it
            int spooled = spool(fd, path);
            ::close(fd);
            fd = spooled;
        }
        src->add_file(path, fd);
    }
    src->cut(chunk_size);
    return src;
}

// Maps the file and closes fd (the mapping keeps it alive).
void TextSource::add_file(const std::string& display, int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        throw UsageError("cannot read " + display + ": " + errno_text(e));
    }
    File f;
    f.name = display;
    f.size = static_cast<std::size_t>(st.st_size);
    if (f.size > 0) {
        void* p = ::mmap(nullptr, f.size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            throw UsageError("cannot read " + display + ": " + errno_text(e));
        }
        ::madvise(p, f.size, MADV_SEQUENTIAL);
        f.data = static_cast<const char*>(p);
    }
    ::close(fd);
    total_bytes_ += f.size;
    files_.push_back(std::move(f));
}

TextSource::~TextSource() {
    for (auto& f : files_)
        if (f.data) ::munmap(const_cast<char*>(f.data), f.size);
}

void TextSource::cut(std::size_t chunk_size) {
    std::size_t filled = 0;  // bytes in the chunk being built
    auto close_chunk = [&] {
        if (pieces_.size() > chunk_begin_.back()) chunk_begin_.push_back(pieces_.size());
        filled = 0;
    };
    for (std::uint32_t fi = 0; fi < files_.size(); ++fi) {
        std::string_view text(files_[fi].data, files_[fi].size);
        std::size_t pos = 0;
        while (pos < text.size()) {
            std::size_t room = chunk_size - filled;
            if (text.size() - pos <= room) {
                pieces_.push_back({fi, pos, text.size()});
                filled += text.size() - pos;
                pos = text.size();
                if (filled >= chunk_size) close_chunk();
                break;
            }
            std::size_t end = utf8::next_cut(text, pos + room);
            if (end > pos) pieces_.push_back({fi, pos, end});
            close_chunk();
            pos = end;
        }
    }
    close_chunk();
}

std::uint64_t TextSource::chunk_bytes(std::size_t chunk) const {
    std::uint64_t n = 0;
    for (std::size_t p = chunk_begin_[chunk]; p < chunk_begin_[chunk + 1]; ++p) n += pieces_[p].end - pieces_[p].begin;
    return n;
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
    const long page = ::sysconf(_SC_PAGESIZE);
    for (std::size_t p = chunk_begin_[chunk]; p < chunk_begin_[chunk + 1]; ++p) {
        const Piece& pc = pieces_[p];
        auto base = reinterpret_cast<std::uintptr_t>(files_[pc.file].data);
        std::uintptr_t from = (base + pc.begin) / page * page;
        std::uintptr_t to = base + pc.end;
        if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
    }
}

std::size_t parse_size(std::string_view text) {
    std::string s(text);
    std::size_t i = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == 0 || i > 18) throw UsageError("invalid size '" + s + "' (examples: 65536, 64KiB, 8MiB, 1GiB)");
    std::uint64_t value = std::stoull(s.substr(0, i));
    std::string unit = s.substr(i);
    struct Unit {
        const char* name;
        std::uint64_t mult;
    };
    static constexpr Unit units[] = {{"", 1},          {"B", 1},           {"K", 1ull << 10},   {"k", 1ull << 10},
                                     {"KB", 1ull << 10}, {"kB", 1ull << 10}, {"KiB", 1ull << 10}, {"M", 1ull << 20},
                                     {"MB", 1ull << 20}, {"MiB", 1ull << 20}, {"G", 1ull << 30},  {"GB", 1ull << 30},
                                     {"GiB", 1ull << 30}};
    std::uint64_t mult = 0;
    for (const Unit& u : units)
        if (unit == u.name) mult = u.mult;
    if (mult == 0) throw UsageError("invalid size '" + s + "' (examples: 65536, 64KiB, 8MiB, 1GiB)");
    if (value == 0) throw UsageError("size must be greater than 0: '" + s + "'");
    if (value > (std::uint64_t{1} << 50) / mult) throw UsageError("size too large: '" + s + "'");
    return static_cast<std::size_t>(value * mult);
}

}  // namespace parapipe
