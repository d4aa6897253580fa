// engine/serialize.hpp and engine/shm_codec.hpp — partials survive a pipe and a shared segment intact.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_set>

#include <absl/container/flat_hash_set.h>

#include <parapipe/engine/serialize.hpp>
#include <parapipe/pipelines/wordcount.hpp>
#include <parapipe/engine/shm_codec.hpp>

#include "tests/support/round_trip.hpp"

namespace parapipe {
namespace {

using testing::round_trip;
using testing::shm_round_trip;

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
    decltype(wordcount::Partial::value) cm{{"x", 3}, {"yy", 4}};
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

wordcount::Partial many_words() {
    wordcount::Partial p;
    for (int i = 0; i < 5000; ++i) p.value.slot("w" + std::to_string(i * 37 % 5003), [&] { return std::uint64_t(i % 9 + 1); });
    p.value.slot(std::string(3000, 'h'), [] { return std::uint64_t{2}; });  // a span past a small piece
    p.counters = {{"words", 12345}, {"invalid_bytes", 6}};
    return p;
}

std::string serialized(const wordcount::Partial& p) {
    Writer w;
    serialize(w, p);
    return w.buffer();
}

// Writer::streaming hands the very bytes serialize() would hold to its sink, in pieces.
TEST(Serializer, StreamingWriterSendsTheSameBytesInPieces) {
    const wordcount::Partial p = many_words();
    const std::string expected = serialized(p);
    for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{1} << 20}) {
        std::string got;
        std::size_t calls = 0;
        Writer w = Writer::streaming([&](const char* b, std::size_t n) {
            got.append(b, n);
            ++calls;
            return true;
        }, piece);
        serialize(w, p);
        EXPECT_TRUE(w.finish()) << piece;
        EXPECT_EQ(got, expected) << piece;
        EXPECT_EQ(w.size(), expected.size()) << piece;
        if (piece < expected.size()) {
            EXPECT_GT(calls, 1u) << piece;
        }
    }
}

// serialize_consuming writes the same bytes and empties the table as it goes; a writer that
// keeps spans by reference gets serialize() instead, the table left whole.
TEST(Serializer, ConsumingWritesTheSameBytesAndEmptiesTheTable) {
    const std::string expected = serialized(many_words());
    wordcount::Partial p = many_words();
    std::string got;
    Writer w = Writer::streaming([&](const char* b, std::size_t n) { return got.append(b, n), true; }, 4096);
    serialize_consuming(w, p);
    EXPECT_TRUE(w.finish());
    EXPECT_EQ(got, expected);
    EXPECT_TRUE(p.value.empty());
    Reader r(got.data(), got.size());
    wordcount::Partial back;
    deserialize(r, back);
    EXPECT_EQ(back.value, many_words().value);
    EXPECT_EQ(back.counters, many_words().counters);

    wordcount::Partial q = many_words();
    Writer keeps(64);
    serialize_consuming(keeps, q);
    EXPECT_EQ(q.value, many_words().value);
    std::string pieces;
    keeps.for_each_piece([&](const char* b, std::size_t n) { return pieces.append(b, n), true; });
    EXPECT_EQ(pieces, expected);
}

// A sink that stops (the reader went away) ends the stream: nothing more reaches it.
TEST(Serializer, StreamingWriterStopsWhenItsSinkDoes) {
    std::size_t calls = 0;
    Writer w = Writer::streaming([&](const char*, std::size_t) { return ++calls, false; }, 16);
    serialize(w, many_words());
    EXPECT_FALSE(w.finish());
    EXPECT_EQ(calls, 1u);
}

TEST(ShmCodec, RoundTripsTheShippedTypes) {
    EXPECT_EQ(shm_round_trip(std::string("abc")), "abc");
    EXPECT_EQ(shm_round_trip(std::vector<std::uint64_t>{5, 6}), (std::vector<std::uint64_t>{5, 6}));
    EXPECT_EQ(shm_round_trip(std::vector<std::string>{"a", "bb"}), (std::vector<std::string>{"a", "bb"}));
    EXPECT_EQ(shm_round_trip(std::array<std::uint64_t, 3>{1, 2, 3}), (std::array<std::uint64_t, 3>{1, 2, 3}));
    EXPECT_EQ(shm_round_trip(std::pair<int, std::string>{1, "q"}), (std::pair<int, std::string>{1, "q"}));
    std::map<std::string, std::string> m{{"k", "v"}, {"k2", "v2"}};
    EXPECT_EQ(shm_round_trip(m), m);
    decltype(wordcount::Partial::value) cm{{"x", 3}, {"yy", 4}, {"", 1}};
    EXPECT_EQ(shm_round_trip(cm), cm);
}

TEST(ShmCodec, RoundTripsAWordCountPartial) {
    wordcount::Partial p;
    p.value = {{"über", 2}, {"a", 1}};
    p.counters = {{"words", 3}, {"invalid_bytes", 4}};
    auto q = shm_round_trip(p);
    EXPECT_EQ(q.value, p.value);
    EXPECT_EQ(q.counters, p.counters);
}

// A user's type: one PARAPIPE_FIELDS line gives it both codecs.
struct Stats {
    std::uint64_t rows = 0;
    std::int64_t sum = 0;
    std::optional<std::string> first;
    std::set<std::string> seen;
    std::vector<std::pair<int, double>> points;
    PARAPIPE_FIELDS(rows, sum, first, seen, points)
    friend bool operator==(const Stats&, const Stats&) = default;
};
struct Outer {
    std::map<std::string, Stats> by_key;
    absl::flat_hash_set<std::string> tags;
    PARAPIPE_FIELDS(by_key, tags)
    friend bool operator==(const Outer&, const Outer&) = default;
};
struct NoCodec {
    int x = 0;
};

static_assert(Serializable<Stats> && ShmStorable<Stats>);
static_assert(Serializable<Outer> && ShmStorable<Outer>);
// Checked all the way down: a container of a type without a codec has none either.
static_assert(!Serializable<NoCodec> && !ShmStorable<NoCodec>);
static_assert(!Serializable<std::vector<NoCodec>> && !ShmStorable<std::vector<NoCodec>>);
static_assert(!Serializable<std::map<std::string, NoCodec>> && !ShmStorable<std::map<std::string, NoCodec>>);

Outer sample() {
    Outer o;
    o.by_key["a"] = Stats{3, -7, "x", {"p", "q"}, {{1, 0.5}, {2, -1.25}}};
    o.by_key["ü"] = Stats{};
    o.tags = {"t1", "t2", ""};
    return o;
}

TEST(Serializer, RoundTripsDescribedTypesAndEveryStdContainer) {
    EXPECT_EQ(round_trip(sample()), sample());
    EXPECT_EQ(round_trip(std::optional<int>()), std::optional<int>());
    EXPECT_EQ(round_trip(std::optional<int>(5)), std::optional<int>(5));
    EXPECT_EQ(round_trip(std::unordered_set<int>{1, 2, 3}), (std::unordered_set<int>{1, 2, 3}));
}

TEST(ShmCodec, StoresDescribedTypesAndEveryStdContainer) {
    EXPECT_EQ(shm_round_trip(sample()), sample());
    EXPECT_EQ(shm_round_trip(std::optional<std::string>("hi")), std::optional<std::string>("hi"));
    EXPECT_EQ(shm_round_trip(std::optional<std::string>()), std::optional<std::string>());
    EXPECT_EQ(shm_round_trip(std::set<std::string>{"a", "b"}), (std::set<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace parapipe
