#pragma once
// The prebuilt word-count pipeline, an ordinary flow: text_files -> ops::words -> count_by_key,
// most frequent first (count descending, then word bytes ascending). Same output in every mode.
//
//   auto result = parapipe::wordcount::count(parapipe::wordcount::open({"books/"}), 0, {.mode = Mode::shm});
//   for (const auto& [word, n] : result.words) std::printf("%s\t%llu\n", word.c_str(), (unsigned long long)n);
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <parapipe/engine/flow.hpp>
#include <parapipe/engine/spill/sorted_runs.hpp>
#include <parapipe/operators/text_files.hpp>
#include <parapipe/operators/words.hpp>

namespace parapipe::wordcount {

using KeyCount = std::pair<std::string, std::uint64_t>;

/// The words of a run that spilled (RunOptions::memory_limit), sorted on disk, most frequent first.
using SpilledWords = spill::SortedRuns<std::uint64_t, MostFrequent>;

struct Result {
    std::vector<KeyCount> words;  // sorted; the first `top` only when top > 0; empty when spilled
    std::uint64_t total_words = 0;
    std::uint64_t unique_words = 0;
    std::uint64_t bytes = 0;
    std::uint64_t invalid_bytes = 0;
    /// Set when the run spilled: the words are read from disk by for_each_word, never held.
    std::shared_ptr<const SpilledWords> spilled;
    std::size_t top = 0;  // for `spilled`: the first `top` only when top > 0

    /// f(word, count) for every word of the result, in order, whether held or spilled.
    template <class F>
    void for_each_word(F&& f) const {
        if (!spilled) {
            for (const auto& [w, n] : words) f(std::string_view(w), n);
            return;
        }
        std::size_t left = top;
        spilled->for_each([&](std::string_view w, std::uint64_t n) {
            f(w, n);
            return top == 0 || --left > 0;
        });
    }
};

/// The input: `paths` (files, folders, "-" for stdin) cut into word-safe chunks.
inline std::shared_ptr<const TextFilesSource> open(const std::vector<std::string>& paths, std::size_t chunk_size,
                                                   const WalkOptions& walk = {}) {
    return std::make_shared<const TextFilesSource>(paths, chunk_size, walk);
}

/// Name of the counter that holds the number of words (engine/counters.hpp).
inline constexpr std::string_view words_counter = "words";

/// The tokenizer stage: emits every word of a piece of text and counts them ("words" counter).
struct Tokenize {
    using output_type = std::string_view;
    template <class Emit>
    void operator()(std::string_view text, Emit&& emit) const {
        std::uint64_t n = 0;
        ops::words(text, [&](std::string_view w) {
            ++n;
            emit(w);
        });
        parapipe::count(words_counter, n);
    }
};

/// The flow: every word, counted; the result sorted most frequent first.
inline auto pipeline(std::shared_ptr<const TextFilesSource> source) {
    return from(std::move(source)).flat_map(Tokenize{}).count_by_key(Identity{}, most_frequent());
}

/// What a chunk becomes: counts per word, plus the counters.
using Partial = Counted<decltype(pipeline(nullptr))::partial_type>;

/// Folds one text into a partial as a chunk would (benchmarks measure this alone).
inline void count_text(std::string_view text, Partial& p) {
    detail::CountersScope scope(p.counters);
    Tokenize{}(text, [&](std::string_view w) { ++detail::slot(p.value, w, [] { return std::uint64_t{0}; }); });
}

/// The word-count plan over `source`, finished into a Result with the first `top` words (0: all).
Plan<Partial, Result> make_plan(std::shared_ptr<const TextFilesSource> source, std::size_t top = 0);

}  // namespace parapipe::wordcount

namespace parapipe {
// Compiled once, in pipelines/wordcount.cpp: every program and test that runs word count links
// that one copy of the five executors instead of compiling its own (each copy is a heavy compile).
extern template wordcount::Result run(const Plan<wordcount::Partial, wordcount::Result>&, const RunOptions&);
}  // namespace parapipe

namespace parapipe::wordcount {

/// Runs word count in opt.mode.
inline Result count(std::shared_ptr<const TextFilesSource> source, std::size_t top, const RunOptions& opt) {
    return run(make_plan(std::move(source), top), opt);
}

}  // namespace parapipe::wordcount
