// engine/reduce/string_table.hpp — the arena-backed table of string-keyed reductions: the same
// contents as a std::map across growth, small blocks, colliding hashes, split, merge and the
// pipe / shared-segment codecs. engine/reduce/partitioned_table.hpp — the same, cut by key hash,
// and merged partition by partition on several threads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/detail/pipe_message.hpp>
#include <parapipe/engine/reduce/keyed.hpp>
#include <parapipe/engine/reduce/partitioned_table.hpp>
#include <parapipe/engine/reduce/string_table.hpp>
#include <parapipe/engine/reduce/string_table_codec.hpp>
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

struct CollidingHash {  // every key has the same hash: only the key comparison tells them apart
    std::uint64_t operator()(std::string_view) const { return 0x1234567890abcdefull; }
};

std::string key(std::size_t i) {
    std::string k = "k" + std::to_string(i * 7919 % 100003);
    if (i % 97 == 0) k += std::string(i % 300, 'x');  // some long keys
    if (i == 5) k.clear();                            // and the empty key
    return k;
}

template <class Table>
std::map<std::string, std::uint64_t> contents(const Table& t) {
    std::map<std::string, std::uint64_t> m;
    t.for_each([&](std::string_view k, std::uint64_t v) { EXPECT_TRUE(m.emplace(std::string(k), v).second) << k; });
    EXPECT_EQ(m.size(), t.size());
    return m;
}

template <class Table>
void count_into(Table& t, std::map<std::string, std::uint64_t>& expect, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
        const std::string k = key(i % 3000);
        ++t.slot(k, [] { return std::uint64_t{0}; });
        ++expect[k];
    }
}

template <class Table>
void check_table(std::size_t n) {
    Table t;
    std::map<std::string, std::uint64_t> expect;
    count_into(t, expect, 0, n);
    EXPECT_EQ(contents(t), expect);
    for (std::size_t parts = 1; parts <= 5; ++parts) {
        Table copy(t);
        auto split = copy.split(parts);
        EXPECT_TRUE(copy.empty());
        ASSERT_EQ(split.size(), parts);
        Table back;
        for (auto& p : split) back.merge(std::move(p), [](std::uint64_t& a, std::uint64_t b) { a += b; });
        EXPECT_EQ(contents(back), expect) << parts << " partitions";
    }
    // Two halves counted apart and merged give the whole.
    Table a, b;
    std::map<std::string, std::uint64_t> ea;
    count_into(a, ea, 0, n / 2);
    count_into(b, ea, n / 2, n);
    a.merge(std::move(b), [](std::uint64_t& x, std::uint64_t y) { x += y; });
    EXPECT_EQ(contents(a), expect);
    std::map<std::string, std::uint64_t> drained;
    a.drain([&](std::string_view k, std::uint64_t&& v) { drained.emplace(std::string(k), v); });
    EXPECT_EQ(drained, expect);
    EXPECT_TRUE(a.empty());
}

TEST(StringTable, MatchesAMapWithTheDefaultBlocks) { check_table<StringTable<std::uint64_t>>(20000); }

// Blocks and indexes of 1 MiB or more are mapped by the table itself (detail::big_allocate):
// growth past that size, merge, reset and drain keep every key.
TEST(StringTable, MatchesAMapPastTheSizeItMapsItself) {
    StringTable<std::uint64_t> a, b;
    std::map<std::string, std::uint64_t> expect;
    for (std::size_t i = 0; i < 150000; ++i) {
        const std::string k = "word" + std::to_string(i);
        ++(i % 3 ? a : b).slot(k, [] { return std::uint64_t{0}; });
        ++expect[k];
    }
    ASSERT_GT(a.memory_bytes(), detail::mapped_from * 2);
    EXPECT_EQ(contents(a).size() + contents(b).size(), expect.size());
    a.merge(std::move(b), [](std::uint64_t& x, std::uint64_t y) { x += y; });
    EXPECT_EQ(contents(a), expect);
    StringTable<std::uint64_t> c(a);
    c.reset();
    EXPECT_TRUE(c.empty());
    for (const auto& kn : expect) c.slot(kn.first, [&] { return kn.second; });
    EXPECT_EQ(contents(c), expect);
    std::map<std::string, std::uint64_t> drained;
    a.drain([&](std::string_view k, std::uint64_t&& v) { drained.emplace(std::string(k), v); });
    EXPECT_EQ(drained, expect);
    EXPECT_TRUE(a.empty());
}

TEST(StringTable, MatchesAMapAcrossManySmallBlocks) {
    check_table<StringTable<std::uint64_t, detail::StringHash, 4096>>(20000);
}

// A key longer than a block (a file without one separator is one word) gets blocks of its own.
TEST(StringTable, KeysLongerThanABlock) {
    using Table = StringTable<std::uint64_t, detail::StringHash, 4096>;
    Table t;
    std::map<std::string, std::uint64_t> expect;
    for (std::size_t i = 0; i < 200; ++i) {
        std::string k = "w" + std::to_string(i % 50);
        if (i % 7 == 0) k += std::string(3000 + (i % 3) * 9000, 'x');  // 3 KB, 12 KB and 21 KB keys
        ++t.slot(k, [] { return std::uint64_t{0}; });
        ++expect[k];
    }
    EXPECT_EQ(contents(t), expect);
    Table copy(t);
    Table back;
    for (auto& p : copy.split(3)) back.merge(std::move(p), [](std::uint64_t& a, std::uint64_t b) { a += b; });
    EXPECT_EQ(contents(back), expect);
}

TEST(StringTable, MatchesAMapWhenEveryHashCollides) {
    check_table<StringTable<std::uint64_t, CollidingHash, 4096>>(3000);
}

TEST(StringTable, KeepsNonTrivialValuesAcrossBlockGrowthAndMerge) {
    StringTable<std::vector<std::string>, detail::StringHash, 4096> t, u;
    std::map<std::string, std::vector<std::string>> expect;
    for (std::size_t i = 0; i < 5000; ++i) {
        const std::string k = key(i % 700), v = "v" + std::to_string(i);
        (i % 2 ? t : u).slot(k, [] { return std::vector<std::string>{}; }).push_back(v);
        expect[k].push_back(v);
    }
    t.merge(std::move(u), [](auto& a, auto&& b) { a.insert(a.end(), b.begin(), b.end()); });
    std::map<std::string, std::vector<std::string>> got;
    t.for_each([&](std::string_view k, const std::vector<std::string>& v) {
        auto sorted = v;
        std::sort(sorted.begin(), sorted.end());
        got[std::string(k)] = sorted;
    });
    for (auto& [k, v] : expect) std::sort(v.begin(), v.end());
    EXPECT_EQ(got, expect);
}

TEST(StringTable, DrainThatThrowsLeavesAnEmptyTable) {
    StringTable<std::string, detail::StringHash, 4096> t;
    for (std::size_t i = 0; i < 3000; ++i) t.slot(key(i), [&] { return std::string(40, 'v'); });
    std::size_t seen = 0;
    EXPECT_THROW(t.drain([&](std::string_view, std::string&&) {
        if (++seen == 1500) throw std::runtime_error("stop");
    }),
                 std::runtime_error);
    EXPECT_TRUE(t.empty());
    t.slot("again", [] { return std::string("x"); });
    EXPECT_EQ(t.size(), 1u);
}

TEST(StringTable, PartitionsAgreeAcrossTablesAndCoverAll) {
    for (std::size_t n = 1; n <= 8; ++n) {
        std::vector<std::size_t> hits(n);
        for (std::size_t i = 0; i < 5000; ++i) {
            const std::size_t p = part_of(detail::string_hash(key(i)), n);
            ASSERT_LT(p, n);
            ++hits[p];
        }
        for (std::size_t p = 0; p < n; ++p) EXPECT_GT(hits[p], 0u) << n << " partitions";
    }
}

TEST(StringTable, CrossesAPipe) {
    StringTable<std::uint64_t> t;
    std::map<std::string, std::uint64_t> expect;
    count_into(t, expect, 0, 5000);
    Writer w;
    serialize(w, t);
    Reader r(w.buffer().data(), w.buffer().size());
    StringTable<std::uint64_t> back;
    deserialize(r, back);
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(contents(back), expect);
}

// Mode::processes merges each chunk's reply from its bytes: the same as decoding, then merging,
// into an empty table and into one that shares some keys (and a truncated reply throws).
TEST(StringTable, MergesStraightFromItsSerializedForm) {
    auto add = [](std::uint64_t& a, std::uint64_t b) { a += b; };
    StringTable<std::uint64_t> part;
    std::map<std::string, std::uint64_t> expect;
    count_into(part, expect, 0, 5000);
    Writer w;
    serialize(w, part);
    StringTable<std::uint64_t> empty;
    Reader r0(w.buffer().data(), w.buffer().size());
    Serializer<StringTable<std::uint64_t>>::merge_into(r0, empty, add);
    EXPECT_EQ(r0.remaining(), 0u);
    EXPECT_EQ(contents(empty), expect);

    StringTable<std::uint64_t> total;
    count_into(total, expect, 2000, 9000);  // keys 2000.. overlap part's, 3000.. are new
    Reader r1(w.buffer().data(), w.buffer().size());
    Serializer<StringTable<std::uint64_t>>::merge_into(r1, total, add);
    EXPECT_EQ(contents(total), expect);

    StringTable<std::uint64_t> cut;
    Reader r2(w.buffer().data(), w.buffer().size() - 3);
    EXPECT_THROW(Serializer<StringTable<std::uint64_t>>::merge_into(r2, cut, add), Error);
}

// From a reply held whole in memory, keys are hashed a few records ahead of their lookup: a key
// of 1 MiB or more (read into a record of its own) between short ones, present in the total or
// not, still lands after the keys before it, and every count adds up.
TEST(StringTable, MergesFromBytesAroundAHugeKey) {
    auto add = [](std::uint64_t& a, std::uint64_t b) { a += b; };
    const std::string huge((std::size_t{1} << 20) + 3, 'h'), other((std::size_t{1} << 20) + 9, 'o');
    PartitionedTable<std::uint64_t> part;
    std::map<std::string, std::uint64_t> expect;
    count_into(part, expect, 0, 20);
    part.slot(huge, [] { return std::uint64_t{0}; }) += 4, expect[huge] += 4;
    count_into(part, expect, 10, 3000);
    part.slot(other, [] { return std::uint64_t{0}; }) += 2, expect[other] += 2;
    count_into(part, expect, 2990, 3001);
    Writer w;
    serialize(w, part);
    for (bool has_huge : {false, true}) {
        SCOPED_TRACE(has_huge);
        PartitionedTable<std::uint64_t> total;
        std::map<std::string, std::uint64_t> want = expect;
        count_into(total, want, 1500, 4000);
        if (has_huge) total.slot(huge, [] { return std::uint64_t{0}; }) += 1, want[huge] += 1;
        Reader r(w.buffer().data(), w.buffer().size());
        ASSERT_TRUE(r.stable());
        detail::merge_serialized(total, r, add);
        EXPECT_EQ(r.remaining(), 0u);
        EXPECT_EQ(contents(total), want);
    }
}

// A key written into a record of its own (StringTable::LooseRecord: a huge key read straight from
// a pipe) joins a table: longer than a block, as a block of its own with no copy; shorter, copied
// into the arena. Either way the table reads as if the key had been inserted, before and after
// other keys, through merge, copy, reset and drain.
TEST(StringTable, TakesKeysBuiltOutsideIt) {
    using Table = StringTable<std::uint64_t, detail::StringHash, 4096>;
    auto loose = [](const std::string& k) {
        Table::LooseRecord r(k.size());
        std::memcpy(r.key_data(), k.data(), k.size());
        return r;
    };
    auto add = [](std::uint64_t& a, std::uint64_t b) { a += b; };
    const std::string big(10000, 'b'), mid(3000, 'm'), huge(3 * 4096 + 5, 'h');
    for (std::size_t before : {0u, 10u, 3000u}) {  // first keys; block 0 partly full; several blocks
        SCOPED_TRACE(before);
        Table t;
        std::map<std::string, std::uint64_t> expect;
        count_into(t, expect, 0, before);
        t.insert_distinct(loose(big), 7), expect[big] += 7;
        t.insert_distinct(loose(mid), 2), expect[mid] += 2;
        t.merge_one(loose(big), 5, add), expect[big] += 5;
        t.merge_one(loose(huge), 1, add), expect[huge] += 1;
        count_into(t, expect, before, before + 2000);
        ++t.slot(huge, [] { return std::uint64_t{0}; }), ++expect[huge];
        EXPECT_EQ(contents(t), expect);
        EXPECT_EQ(contents(Table(t)), expect);
        std::map<std::string, std::uint64_t> drained;
        t.drain([&](std::string_view k, std::uint64_t&& v) { drained.emplace(std::string(k), v); });
        EXPECT_EQ(drained, expect);
    }
    Table r;
    r.insert_distinct(loose(huge), 1);
    r.reset();
    std::map<std::string, std::uint64_t> after;
    count_into(r, after, 0, 3000);
    EXPECT_EQ(contents(r), after);
}

// A table with keys of several MiB crosses a real pipe as Mode::processes and Mode::shm send it:
// the big keys borrowed by the Writer (not copied into its buffer), read by a PipeReader as they
// arrive, big keys straight into their records. A writer gone mid-message throws PipeClosed.
TEST(StringTable, CrossesAPipeWithHugeKeysUnbuffered) {
    PartitionedTable<std::uint64_t> t;
    std::map<std::string, std::uint64_t> expect;
    for (std::size_t i = 0; i < 5000; ++i) ++t.slot(key(i), [] { return std::uint64_t{0}; }), ++expect[key(i)];
    for (std::size_t mib : {1u, 3u, 5u}) {
        const std::string k(mib << 20, static_cast<char>('a' + mib));
        t.insert_distinct(k, std::uint64_t{mib}), expect[k] = mib;
    }
    Writer plain;
    serialize(plain, t);
    Writer w(detail::pipe_borrow_from);
    serialize(w, t);
    EXPECT_LT(w.buffer().size(), std::size_t{1} << 20);  // the big keys are borrowed
    std::string joined;
    w.for_each_piece([&](const char* p, std::size_t n) { return joined.append(p, n), true; });
    ASSERT_EQ(joined, plain.buffer());

    for (bool whole : {true, false}) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        const std::size_t cut = whole ? w.size() : w.size() - (std::size_t{2} << 20);  // inside the 5 MiB key
        std::thread writer([&] {
            std::size_t left = cut;
            w.for_each_piece([&](const char* p, std::size_t n) {
                n = std::min(n, left);
                left -= n;
                return detail::write_all(fds[1], p, n) && left > 0;
            });
            ::close(fds[1]);
        });
        PartitionedTable<std::uint64_t> back;
        detail::PipeReader r(fds[0], w.size());
        if (whole) {
            deserialize(r, back);
            EXPECT_EQ(r.remaining(), 0u);
            EXPECT_EQ(contents(back), expect);
        } else {
            EXPECT_THROW(deserialize(r, back), detail::PipeClosed);
        }
        writer.join();
        ::close(fds[0]);
    }
}

// A worker of Mode::processes resets its table between chunks: afterwards it is empty and counts
// the next chunk exactly, also after keys longer than a block and with non-trivial values.
TEST(StringTable, ResetEmptiesAndRefills) {
    using Table = StringTable<std::uint64_t, detail::StringHash, 4096>;
    Table t;
    std::map<std::string, std::uint64_t> first;
    count_into(t, first, 0, 20000);
    t.reset();
    EXPECT_TRUE(t.empty());
    EXPECT_TRUE(contents(t).empty());
    std::map<std::string, std::uint64_t> second;
    count_into(t, second, 1000, 7000);
    EXPECT_EQ(contents(t), second);

    Table huge;  // block 0 is one key longer than a block
    ++huge.slot(std::string(10000, 'h'), [] { return std::uint64_t{0}; });
    huge.reset();
    std::map<std::string, std::uint64_t> after;
    count_into(huge, after, 0, 3000);
    EXPECT_EQ(contents(huge), after);

    StringTable<std::vector<std::string>, detail::StringHash, 4096> v;
    for (std::size_t i = 0; i < 3000; ++i) v.slot(key(i), [] { return std::vector<std::string>{}; }).push_back("x");
    v.reset();
    v.slot("again", [] { return std::vector<std::string>{}; }).push_back("y");
    EXPECT_EQ(v.size(), 1u);
    EXPECT_EQ(v.find("again")->size(), 1u);
}

}  // namespace
}  // namespace parapipe

namespace parapipe {
namespace {

TEST(StringTable, KeyedSplitAndMergePartitionRebuildTheTable) {
    for (std::size_t n = 1; n <= 4; ++n) {
        StringTable<std::uint64_t> t;
        std::map<std::string, std::uint64_t> expect;
        count_into(t, expect, 0, 4000);
        auto parts = split(std::move(t), n);
        StringTable<std::uint64_t> back;
        for (std::size_t p = 0; p < n; ++p) {
            parts[p].for_each([&](std::string_view k, std::uint64_t) { EXPECT_EQ(part_of(detail::string_hash(k), n), p); });
            merge_partition(back, std::move(parts[p]), [](std::uint64_t& a, std::uint64_t b) { a += b; });
        }
        EXPECT_EQ(contents(back), expect);
    }
}

TEST(PartitionedTable, MatchesAMapAndKeepsEachKeyInItsPartition) {
    using Table = PartitionedTable<std::uint64_t>;
    check_table<Table>(20000);
    Table t;
    std::map<std::string, std::uint64_t> expect;
    count_into(t, expect, 0, 20000);
    std::size_t used = 0;
    for (std::size_t p = 0; p < Table::partitions; ++p) {
        used += !t.part(p).empty();
        t.part(p).for_each([&](std::string_view k, std::uint64_t) { EXPECT_EQ(Table::partition_of(detail::string_hash(k)), p); });
    }
    EXPECT_EQ(used, Table::partitions);
    Writer w;
    serialize(w, t);
    Reader r(w.buffer().data(), w.buffer().size());
    Table back;
    deserialize(r, back);
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(contents(back), expect);
    Reader again(w.buffer().data(), w.buffer().size());
    detail::merge_serialized(back, again, [](std::uint64_t& a, std::uint64_t b) { a += b; });
    for (auto& [k, v] : expect) v *= 2;
    EXPECT_EQ(contents(back), expect);
}

// What Plan::merge_finalize does with the workers' tables: partition p of every table merged as
// one task, on 1, 2 or 3 threads, gives what merging the tables one after another gives.
TEST(PartitionedTable, MergeAllOnSeveralThreadsEqualsOneByOne) {
    using Table = PartitionedTable<std::uint64_t>;
    const auto add = [](std::uint64_t& a, std::uint64_t b) { a += b; };
    for (unsigned workers : {1u, 2u, 3u}) {
        for (std::size_t tables : {1u, 2u, 5u}) {
            SCOPED_TRACE(std::to_string(workers) + " threads, " + std::to_string(tables) + " tables");
            std::vector<Table> parts(tables);
            std::map<std::string, std::uint64_t> expect;
            for (std::size_t i = 0; i < tables; ++i) count_into(parts[i], expect, i * 1700, i * 1700 + 4000);
            Table merged = detail::with_arena(workers, [&](const Parallelism& par) {
                return detail::merge_all(std::move(parts), add, par);
            });
            EXPECT_EQ(contents(merged), expect);
        }
    }
}

// A table's image (Mode::shm's way for a big partial): read back, it has the same keys, finds
// them, and grows on, with small blocks, keys longer than a block, and after a reset.
TEST(StringTable, ReadsBackItsImage) {
    using Table = StringTable<std::uint64_t, detail::StringHash, 4096>;
    Table t;
    std::map<std::string, std::uint64_t> expect;
    for (std::size_t i = 0; i < 3000; ++i) {
        std::string k = key(i);
        if (i % 500 == 1) k += std::string(9000, 'y');  // blocks of its own, with placeholders after
        ++t.slot(k, [] { return std::uint64_t{0}; });
        ++expect[k];
    }
    EXPECT_EQ(contents(t), expect);
    Table empty, reset(t);
    reset.reset();  // block 0 kept, empty
    for (Table* from : {&t, &empty, &reset}) {
        const auto want = contents(*from);
        const std::size_t bytes = from->image_bytes();
        std::vector<char> image(bytes + 8, '\x7f');
        char* end = from->move_image(image.data());
        ASSERT_EQ(static_cast<std::size_t>(end - image.data()), bytes);
        EXPECT_TRUE(from->empty());
        Table back;
        back.slot("old", [] { return std::uint64_t{1}; });  // replaced by the image
        std::size_t released = 0;
        const char* read_end = back.read_image(image.data(), [&](const char*, std::size_t n) { released += n; });
        EXPECT_EQ(read_end, end);
        EXPECT_LE(released, bytes);
        EXPECT_EQ(contents(back), want);
        for (const auto& [k, n] : want) ASSERT_NE(back.find(k), nullptr) << k;
        back.slot("a new key", [] { return std::uint64_t{7}; });
        EXPECT_EQ(back.size(), want.size() + 1);
    }
}

// In a Mode::shm worker (shm_side_prefix set), a big table is stored as an image in a segment
// of its own, not in the region; loading copies it back and removes the segment.
TEST(PartitionedTable, BigTableCrossesThroughASegmentOfItsOwn) {
    using Table = PartitionedTable<std::uint64_t>;
    using Codec = ShmCodec<Table>;
    Table t;
    for (std::size_t i = 0; i < 100000; ++i) ++t.slot("w" + std::to_string(i), [] { return std::uint64_t{0}; });
    ASSERT_GE(detail::table_image_bytes(t), Codec::side_from);
    const std::string prefix = "parapipe-" + std::to_string(::getpid()) + "-test-side-";
    std::vector<char> buffer(std::size_t{1} << 16);
    boost::interprocess::managed_external_buffer region(boost::interprocess::create_only, buffer.data(), buffer.size());
    shm::VoidAlloc alloc(region.get_segment_manager());
    const auto expect = contents(t);
    Codec::stored stored = Codec::make(alloc);
    detail::shm_side_prefix = prefix;
    Codec::store(t, stored, alloc);  // 100,000 keys: too many for the 64 KiB region inline
    EXPECT_GT(stored.side_bytes, 0u);
    EXPECT_EQ(testing::count_shm_segments(), 1);
    EXPECT_TRUE(t.empty());  // moved into the image
    // Had the rest of the partial not fit the region, the worker would take the table back.
    detail::undo_side_stores();
    EXPECT_EQ(testing::count_shm_segments(), 0);
    EXPECT_EQ(contents(t), expect);
    Codec::store(t, stored, alloc);
    detail::shm_side_prefix.clear();
    detail::shm_side_undo.clear();  // stored: the coordinator loads it
    Table back;
    Codec::load(stored, back);
    EXPECT_EQ(testing::count_shm_segments(), 0);
    EXPECT_EQ(contents(back), expect);
    for (std::size_t i = 0; i < 100000; i += 997) EXPECT_NE(back.find("w" + std::to_string(i)), nullptr);
    // Outside a shm worker the same table stays in the region: here it does not fit.
    Codec::stored inline_stored = Codec::make(alloc);
    EXPECT_THROW(Codec::store(back, inline_stored, alloc), boost::interprocess::bad_alloc);
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

}  // namespace
}  // namespace parapipe
