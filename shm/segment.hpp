#pragma once
// A POSIX shared-memory segment owned by one run (Boost.Interprocess shared_memory_object +
// mapped_region): unique name `parapipe-<pid>-<random>`, mode 0600, pages reserved so that a full
// /dev/shm is an error (never a SIGBUS): all of them up front, or a first part up front and the rest
// by reserve() before they are used; removed on destruction.
// Not thread-safe. Forked children inherit the mapping at the same address; only the
// creating process removes the segment.
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>

namespace parapipe::shm {

/// A segment could not be created or grown; the message names the shortfall.
class SegmentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Segment {
public:
    /// Creates and maps a segment of `bytes`. Throws SegmentError naming the shortfall when
    /// /dev/shm cannot hold it. Removes segments of dead runs first.
    explicit Segment(std::size_t bytes);
    /// The same, reserving only the pages of the first `reserved` bytes now (/dev/shm must still
    /// have room for all of it); the rest must go through reserve() before they are touched.
    Segment(std::size_t bytes, std::size_t reserved);
    /// The same, named `name` (which must start with prefix and the pid of the run's coordinator,
    /// so that remove_stale() knows whose it is).
    Segment(std::string name, std::size_t bytes);
    /// Maps the existing segment `name` read-write; it is removed on destruction.
    struct Open {};
    Segment(Open, std::string name);
    ~Segment();
    Segment(const Segment&) = delete;
    Segment& operator=(const Segment&) = delete;

    char* base() const { return static_cast<char*>(region_->get_address()); }
    std::size_t size() const { return size_; }
    const std::string& name() const { return name_; }

    /// Reserves the pages of [offset, offset + bytes) (whole pages around it); false if /dev/shm
    /// cannot hold them. Works in a forked child that kept no descriptor: it opens the segment by
    /// name. Reserving pages already reserved costs next to nothing.
    bool reserve(std::size_t offset, std::size_t bytes) const;
    /// Grows the segment to `new_size` bytes, all of them reserved. Only call while no other
    /// process maps it: the mapping moves, so raw pointers into it are invalid afterwards
    /// (offsets stay valid).
    void grow(std::size_t new_size);

    /// Leaves the segment in /dev/shm on destruction: another process opens and removes it.
    void keep() { keep_ = true; }

    /// Gives the pages of [offset, offset + bytes) back to the system (whole pages inside it);
    /// they read as zeros afterwards.
    void release(std::size_t offset, std::size_t bytes);

    /// Removes segments left by runs whose coordinator died (pid in the name no longer exists).
    static int remove_stale();
    /// Removes every segment whose name starts with `name_prefix`; returns how many.
    static int remove_named(const std::string& name_prefix);

    static constexpr const char* prefix = "parapipe-";

private:
    Segment(std::string name, std::size_t bytes, std::size_t reserved);
    /// Removes the segments whose name starts with `name_prefix` and for which stale(name) holds.
    static int remove_matching(const std::string& name_prefix, const std::function<bool(const std::string&)>& stale);
    /// Reserves the pages of [0, bytes); throws SegmentError (and removes the segment) if it cannot.
    void reserve_first(std::size_t bytes);
    void map();
    std::string name_;
    std::size_t size_;
    bool keep_ = false;
    std::unique_ptr<boost::interprocess::shared_memory_object> object_;
    std::unique_ptr<boost::interprocess::mapped_region> region_;
};

/// Free bytes in the filesystem behind POSIX shared memory (/dev/shm).
std::size_t shm_free_bytes();

}  // namespace parapipe::shm
