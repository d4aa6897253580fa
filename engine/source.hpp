#pragma once
// The Source concept: what a flow reads. A source cuts its input into chunks of whole records
// (a record is never split between chunks) and hands out the items of one chunk at a time.
// Executors run chunks in any order, concurrently, in threads or in forked processes, so a
// source must be read-only once built: for_each, weight, describe and release are called from
// many threads at once and in forked children (which inherit the source at fork).
//
// A source of your own:
//
//   struct Squares {                       // items 0, 1, 4, 9, ... in chunks of 1000
//       using item_type = std::uint64_t;
//       std::uint64_t n;
//       std::size_t chunk_count() const { return (n + 999) / 1000; }
//       template <class Emit> void for_each(std::size_t c, Emit&& emit) const {
//           for (std::uint64_t i = c * 1000; i < std::min<std::uint64_t>(n, (c + 1) * 1000); ++i) emit(i * i);
//       }
//       std::uint64_t weight(std::size_t) const { return 1000; }          // for progress
//       std::string describe(std::size_t c) const { return "squares chunk " + std::to_string(c); }
//       void release(std::size_t) const {}                                // drop a chunk's memory
//   };
//   auto total = parapipe::from(Squares{10'000'000}).sum().run({.mode = parapipe::Mode::shm});
//
// Optional: `void prepare(const RunContext&) const` is called once before the run starts (before
// workers are forked), e.g. to create output folders.
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>

namespace parapipe {

namespace detail {
/// Stands for the emit callback executors pass to Source::for_each.
template <class Item>
struct EmitArchetype {
    void operator()(const Item&) const {}
};
}  // namespace detail

template <class S>
concept Source = requires(const S& s, std::size_t chunk) {
    typename S::item_type;
    { s.chunk_count() } -> std::convertible_to<std::size_t>;
    s.for_each(chunk, detail::EmitArchetype<typename S::item_type>{});
    { s.weight(chunk) } -> std::convertible_to<std::uint64_t>;
    { s.describe(chunk) } -> std::convertible_to<std::string>;
    s.release(chunk);
};

/// Chunks of `count` items indexed 0..count-1, `per_chunk` at a time; 0 picks a size that gives
/// enough chunks to balance a few workers without making chunks tiny.
struct CountChunks {
    std::uint64_t count = 0;
    std::uint64_t per_chunk = 0;

    CountChunks(std::uint64_t n, std::uint64_t per) : count(n), per_chunk(per) {
        if (per_chunk == 0) per_chunk = std::max<std::uint64_t>(1, (count + 63) / 64);
    }
    std::size_t chunks() const { return static_cast<std::size_t>((count + per_chunk - 1) / per_chunk); }
    std::uint64_t begin(std::size_t c) const { return c * per_chunk; }
    std::uint64_t end(std::size_t c) const { return std::min<std::uint64_t>(count, (c + 1) * per_chunk); }
    std::string describe(std::size_t c) const {
        return "items [" + std::to_string(begin(c)) + ", " + std::to_string(end(c)) + ")";
    }
};

}  // namespace parapipe
