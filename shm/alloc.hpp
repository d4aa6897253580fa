#pragma once
// Containers that live in the shared segment: Boost.Interprocess allocators over a region that
// one process builds alone (bip::managed_external_buffer, no interprocess mutex), so a worker
// killed mid-allocation cannot block anyone else.
#include <string>

#include <boost/interprocess/allocators/allocator.hpp>
#include <boost/interprocess/containers/string.hpp>
#include <boost/interprocess/containers/vector.hpp>
#include <boost/interprocess/managed_external_buffer.hpp>

namespace parapipe::shm {

namespace bip = boost::interprocess;
using SegmentManager = bip::managed_external_buffer::segment_manager;
template <class T>
using Alloc = bip::allocator<T, SegmentManager>;
using VoidAlloc = Alloc<void>;
template <class T>
using Vector = bip::vector<T, Alloc<T>>;
using String = bip::basic_string<char, std::char_traits<char>, Alloc<char>>;

}  // namespace parapipe::shm
