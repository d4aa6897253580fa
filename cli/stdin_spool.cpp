#include "cli/stdin_spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <parapipe/engine/errors.hpp>

namespace parapipe::cli {

StdinSpool::~StdinSpool() {
    if (fd_ >= 0) ::close(fd_);
}

std::string StdinSpool::read(std::atomic<std::uint64_t>& bytes, const std::atomic<int>& cancel) {
    struct stat st {};
    if (::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) return "-";
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = tmp && *tmp ? tmp : "/tmp";
    // O_TMPFILE: no name, so nothing is left behind however the run ends.
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR, 0600);
    if (fd_ < 0) throw Error("cannot spool <stdin> to " + dir + ": " + std::strerror(errno));
    std::vector<char> buf(1 << 20);
    for (;;) {
        if (int sig = cancel.load()) throw Interrupted(sig);
        ssize_t r = ::read(STDIN_FILENO, buf.data(), buf.size());
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw UsageError(std::string("cannot read <stdin>: ") + std::strerror(errno));
        if (r == 0) break;
        for (ssize_t off = 0; off < r;) {
            ssize_t w = ::write(fd_, buf.data() + off, static_cast<std::size_t>(r - off));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) throw Error("cannot spool <stdin> to " + dir + ": " + std::strerror(errno));
            off += w;
        }
        bytes.fetch_add(static_cast<std::uint64_t>(r));
    }
    return "/proc/self/fd/" + std::to_string(fd_);
}

}  // namespace parapipe::cli
