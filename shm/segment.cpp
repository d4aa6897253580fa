#include <parapipe/shm/segment.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <vector>


namespace parapipe::shm {

namespace bip = boost::interprocess;

namespace {
std::string mib(std::size_t b) { return std::to_string((b + (1 << 20) - 1) >> 20) + " MiB"; }
}  // namespace

std::size_t shm_free_bytes() {
    struct statvfs st {};
    if (::statvfs("/dev/shm", &st) != 0) return 0;
    return static_cast<std::size_t>(st.f_bavail) * st.f_frsize;
}

namespace {
std::string unique_name() {
    std::random_device rd;
    return std::string(Segment::prefix) + std::to_string(::getpid()) + "-" + std::to_string(rd());
}
}  // namespace

Segment::Segment(std::size_t bytes) : Segment(unique_name(), bytes) {}

Segment::Segment(std::size_t bytes, std::size_t reserved) : Segment(unique_name(), bytes, reserved) {}

Segment::Segment(std::string name, std::size_t bytes) : Segment(std::move(name), bytes, bytes) {}

Segment::Segment(std::string name, std::size_t bytes, std::size_t reserved) : name_(std::move(name)), size_(bytes) {
    remove_stale();
    if (std::size_t free = shm_free_bytes(); free < bytes)
        throw SegmentError("/dev/shm has " + mib(free) + " free but the shared segment needs " + mib(bytes) +
                    "; free space in /dev/shm or use --mode processes");
    try {
        // 0600, whatever the umask (Boost sets it with fchmod): other users must not read a run's partials.
        object_ = std::make_unique<bip::shared_memory_object>(bip::create_only, name_.c_str(), bip::read_write,
                                                              bip::permissions(0600));
        object_->truncate(static_cast<bip::offset_t>(bytes));
    } catch (const bip::interprocess_exception& e) {
        object_.reset();
        bip::shared_memory_object::remove(name_.c_str());
        throw SegmentError("cannot create shared segment " + name_ + ": " + e.what());
    }
    reserve_first(std::min(reserved, bytes));
    map();
}

// Allocate the tmpfs pages now: touching an unbacked page of a full tmpfs is a SIGBUS.
void Segment::reserve_first(std::size_t bytes) {
    if (bytes == 0) return;
    int rc = ::posix_fallocate(object_->get_mapping_handle().handle, 0, static_cast<off_t>(bytes));
    if (rc != 0) {
        region_.reset();
        object_.reset();
        bip::shared_memory_object::remove(name_.c_str());
        throw SegmentError("/dev/shm cannot hold a shared segment of " + mib(bytes) + " (" + std::strerror(rc) +
                    "); free space in /dev/shm or use --mode processes");
    }
}

Segment::Segment(Open, std::string name) : name_(std::move(name)), size_(0) {
    try {
        object_ = std::make_unique<bip::shared_memory_object>(bip::open_only, name_.c_str(), bip::read_write);
        bip::offset_t n = 0;
        object_->get_size(n);
        size_ = static_cast<std::size_t>(n);
        map();
    } catch (const bip::interprocess_exception& e) {
        region_.reset();
        object_.reset();
        bip::shared_memory_object::remove(name_.c_str());
        throw SegmentError("cannot open shared segment " + name_ + ": " + e.what());
    }
}

void Segment::map() { region_ = std::make_unique<bip::mapped_region>(*object_, bip::read_write); }

Segment::~Segment() {
    region_.reset();
    object_.reset();
    if (!keep_) bip::shared_memory_object::remove(name_.c_str());
}

bool Segment::reserve(std::size_t offset, std::size_t bytes) const {
    if (bytes == 0) return true;
    if (offset > size_ || bytes > size_ - offset) return false;
    // By name: a forked worker closed every descriptor but its pipes (engine/worker_process.cpp).
    const int fd = ::shm_open(name_.c_str(), O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) return false;
    const int rc = ::posix_fallocate(fd, static_cast<off_t>(offset), static_cast<off_t>(bytes));
    ::close(fd);
    return rc == 0;
}

void Segment::release(std::size_t offset, std::size_t bytes) {
    constexpr std::size_t page = 4096;
    const std::size_t from = (offset + page - 1) / page * page, to = (offset + bytes) / page * page;
    if (to <= from) return;
    // Best effort: a filesystem without hole punching keeps the pages until the segment goes.
    [[maybe_unused]] int rc = ::fallocate(object_->get_mapping_handle().handle, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                          static_cast<off_t>(from), static_cast<off_t>(to - from));
}

int Segment::remove_named(const std::string& name_prefix) {
    return remove_matching(name_prefix, [](const std::string&) { return true; });
}

void Segment::grow(std::size_t new_size) {
    if (new_size <= size_) return;
    if (std::size_t free = shm_free_bytes(); free < new_size - size_)
        throw SegmentError("/dev/shm has " + mib(free) + " free but the shared segment must grow by " +
                    mib(new_size - size_) + "; free space in /dev/shm or use --mode processes");
    region_.reset();
    object_->truncate(static_cast<bip::offset_t>(new_size));
    size_ = new_size;
    reserve_first(size_);
    map();
}

int Segment::remove_stale() {
    const std::string pre = prefix;
    return remove_matching(pre, [&](const std::string& n) {
        const auto pid = static_cast<pid_t>(std::strtol(n.c_str() + pre.size(), nullptr, 10));
        return pid > 0 && ::kill(pid, 0) != 0 && errno != EPERM;  // its coordinator is gone
    });
}

int Segment::remove_matching(const std::string& name_prefix, const std::function<bool(const std::string&)>& stale) {
    DIR* dir = ::opendir("/dev/shm");
    if (!dir) return 0;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir))
        if (std::string n = e->d_name; n.rfind(name_prefix, 0) == 0) names.push_back(std::move(n));
    ::closedir(dir);
    int removed = 0;
    for (const std::string& n : names)
        if (stale(n) && bip::shared_memory_object::remove(n.c_str())) ++removed;
    return removed;
}

}  // namespace parapipe::shm
