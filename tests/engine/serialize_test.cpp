// engine/serialize.hpp and shm/codec.hpp — partials survive a pipe and a shared segment intact.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include <parapipe/engine/serialize.hpp>
#include <parapipe/operators/count_by_key.hpp>
#include <parapipe/pipelines/wordcount.hpp>
#include <parapipe/engine/shm_codec.hpp>

namespace parapipe {
namespace {

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

TEST(Serializer, RoundTripsTheShippedTypes) {
    EXPECT_EQ(round_trip(42), 42);
    EXPECT_DOUBLE_EQ(round_trip(2.5), 2.5);
    EXPECT_EQ(round_trip(std::string("héllo\0x", 8)), std::string("héllo\0x", 8));
    EXPECT_EQ(round_trip(std::vector<std::uint64_t>{1, 2, 3}), (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(round_trip(std::vector<std::string>{"a", "", "bc"}), (std::vector<std::string>{"a", "", "bc"}));
    EXPECT_EQ(round_trip(std::pair<int, std::string>{7, "x"}), (std::pair<int, std::string>{7, "x"}));
    EXPECT_EQ(round_trip(std::tuple<int, double, std::string>{1, 2.0, "z"}),
              (std::tuple<int, double, std::string>{1, 2.0, "z"}));
    std::map<std::string, int> m{{"a", 1}, {"b", 2}};
    EXPECT_EQ(round_trip(m), m);
    ops::CountMap cm{{"x", 3}, {"yy", 4}};
    EXPECT_EQ(round_trip(cm), cm);
}

TEST(Serializer, TruncatedInputThrows) {
    Writer w;
    serialize(w, std::vector<std::string>{"abc", "def"});
    for (std::size_t n = 0; n < w.buffer().size(); ++n) {
        Reader r(w.buffer().data(), n);
        std::vector<std::string> out;
        EXPECT_THROW(deserialize(r, out), Error) << n;
    }
}

template <class T>
T shm_round_trip(const T& v) {
    std::vector<char> buffer(1 << 20);
    boost::interprocess::managed_external_buffer region(boost::interprocess::create_only, buffer.data(), buffer.size());
    shm::VoidAlloc alloc(region.get_segment_manager());
    using Codec = ShmCodec<T>;
    auto* stored = region.construct<typename Codec::stored>(boost::interprocess::anonymous_instance)(Codec::make(alloc));
    Codec::store(v, *stored, alloc);
    T out{};
    Codec::load(*stored, out);
    return out;
}

TEST(ShmCodec, RoundTripsTheShippedTypes) {
    EXPECT_EQ(shm_round_trip(std::string("abc")), "abc");
    EXPECT_EQ(shm_round_trip(std::vector<std::uint64_t>{5, 6}), (std::vector<std::uint64_t>{5, 6}));
    EXPECT_EQ(shm_round_trip(std::vector<std::string>{"a", "bb"}), (std::vector<std::string>{"a", "bb"}));
    EXPECT_EQ(shm_round_trip(std::array<std::uint64_t, 3>{1, 2, 3}), (std::array<std::uint64_t, 3>{1, 2, 3}));
    EXPECT_EQ(shm_round_trip(std::pair<int, std::string>{1, "q"}), (std::pair<int, std::string>{1, "q"}));
    std::map<std::string, std::string> m{{"k", "v"}, {"k2", "v2"}};
    EXPECT_EQ(shm_round_trip(m), m);
    ops::CountMap cm{{"x", 3}, {"yy", 4}, {"", 1}};
    EXPECT_EQ(shm_round_trip(cm), cm);
}

TEST(ShmCodec, RoundTripsAWordCountPartial) {
    wordcount::Partial p;
    p.counts = {{"über", 2}, {"a", 1}};
    p.words = 3, p.invalid_bytes = 4, p.bytes = 20;
    auto q = shm_round_trip(p);
    EXPECT_EQ(q.counts, p.counts);
    EXPECT_EQ(q.words, 3u);
    EXPECT_EQ(q.invalid_bytes, 4u);
    EXPECT_EQ(q.bytes, 20u);
}

}  // namespace
}  // namespace parapipe
