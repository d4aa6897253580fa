#pragma once
// A value through each of the two codecs a partial may travel by: bytes (processes, mpi) and a
// shared-memory region (shm). Tests of the shipped types and of user types compare what comes
// back with what went in.
#include <gtest/gtest.h>

#include <vector>

#include <boost/interprocess/managed_external_buffer.hpp>

#include <parapipe/engine/serialize.hpp>
#include <parapipe/engine/shm_codec.hpp>

namespace parapipe::testing {

/// v serialized and read back; every byte written must be read.
template <class T>
T round_trip(const T& v) {
    Writer w;
    serialize(w, v);
    Reader r(w.buffer().data(), w.buffer().size());
    T out{};
    deserialize(r, out);
    EXPECT_EQ(r.remaining(), 0u);
    return out;
}

/// v stored in a 1 MiB shared-memory-style region and loaded back.
template <class T>
T shm_round_trip(const T& v) {
    namespace bip = boost::interprocess;
    std::vector<char> buffer(1 << 20);
    bip::managed_external_buffer region(bip::create_only, buffer.data(), buffer.size());
    shm::VoidAlloc alloc(region.get_segment_manager());
    using Codec = ShmCodec<T>;
    auto* stored = region.construct<typename Codec::stored>(bip::anonymous_instance)(Codec::make(alloc));
    Codec::store(v, *stored, alloc);
    T out{};
    Codec::load(*stored, out);
    return out;
}

}  // namespace parapipe::testing
