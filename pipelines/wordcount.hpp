#pragma once
// The prebuilt word-count pipeline: text files -> words (operators/words.hpp) -> counts ->
// sorted by count descending, then word bytes ascending. Same output in every mode.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/plan.hpp"
#include "engine/serialize.hpp"
#include "engine/text_source.hpp"
#include "operators/count_by_key.hpp"
#include "operators/top_k.hpp"
#include "shm/codec.hpp"

namespace parapipe::wordcount {

/// Per-chunk (and per-worker) state: counts plus the figures --stats and JSON report.
struct Partial {
    ops::CountMap counts;
    std::uint64_t words = 0;
    std::uint64_t invalid_bytes = 0;
    std::uint64_t bytes = 0;
};

struct Result {
    std::vector<ops::KeyCount> words;  // sorted; the first `top` only when top > 0
    std::uint64_t total_words = 0;
    std::uint64_t unique_words = 0;
    std::uint64_t bytes = 0;
    std::uint64_t invalid_bytes = 0;
};

enum class Format { tsv, csv, json };

/// Folds one text into a partial. Thread-safe for distinct partials.
void count_text(std::string_view text, Partial& p);

/// The word-count plan over `source`; keeps the first `top` words (0: all).
Plan<Partial, Result> make_plan(std::shared_ptr<const TextSource> source, std::size_t top = 0);

/// The result as text in the given format (tsv: `word<TAB>count` lines).
std::string format(const Result& r, Format f);

}  // namespace parapipe::wordcount

namespace parapipe {

template <>
struct Serializer<wordcount::Partial> {
    static void write(Writer& w, const wordcount::Partial& p) {
        serialize(w, p.counts);
        w.pod(p.words), w.pod(p.invalid_bytes), w.pod(p.bytes);
    }
    static void read(Reader& r, wordcount::Partial& p) {
        deserialize(r, p.counts);
        p.words = r.pod<std::uint64_t>(), p.invalid_bytes = r.pod<std::uint64_t>(), p.bytes = r.pod<std::uint64_t>();
    }
};

template <>
struct ShmCodec<wordcount::Partial> {
    using Counts = ShmCodec<ops::CountMap>;
    struct stored {
        explicit stored(const shm::VoidAlloc& a) : counts(Counts::make(a)) {}
        Counts::stored counts;
        std::uint64_t words = 0, invalid_bytes = 0, bytes = 0;
    };
    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const wordcount::Partial& p, stored& s, const shm::VoidAlloc& a) {
        Counts::store(p.counts, s.counts, a);
        s.words = p.words, s.invalid_bytes = p.invalid_bytes, s.bytes = p.bytes;
    }
    static void load(const stored& s, wordcount::Partial& p) {
        Counts::load(s.counts, p.counts);
        p.words = s.words, p.invalid_bytes = s.invalid_bytes, p.bytes = s.bytes;
    }
};

}  // namespace parapipe
