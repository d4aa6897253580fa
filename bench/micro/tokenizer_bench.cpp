// Tokenizer: operators/words.hpp for_each_word over 8 MiB of generated text (mixed case,
// ~5% non-ASCII), over pure lowercase ASCII (the fast path), over mostly-Cyrillic and
// mostly-CJK text (the non-ASCII paths), the word table alone (TableSlot), and with counting
// (count_text).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "bench/corpus/text_corpus.hpp"
#include "bench/micro/micro_corpus.hpp"
#include <parapipe/engine/reduce/partitioned_table.hpp>
#include <parapipe/operators/words.hpp>

namespace {

using namespace parapipe;

void tokenize(benchmark::State& state, const std::string& text) {
    std::uint64_t words = 0;
    for (auto _ : state) {
        words = 0;
        ops::for_each_word(text, [&](std::string_view w) {
            benchmark::DoNotOptimize(w.data());
            ++words;
        });
    }
    state.counters["words"] = static_cast<double>(words);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

void BM_ForEachWord_Corpus(benchmark::State& state) { tokenize(state, bench::micro::text_8mib()); }
BENCHMARK(BM_ForEachWord_Corpus)->Unit(benchmark::kMillisecond);

// The ASCII fast path: no ICU call, no copy.
void BM_ForEachWord_LowerAscii(benchmark::State& state) {
    static const std::string text = [] {
        std::string t = bench::micro::text_8mib();
        std::transform(t.begin(), t.end(), t.begin(), [](char c) {
            auto b = static_cast<unsigned char>(c);
            return b >= 0x80 ? ' ' : static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
        });
        return t;
    }();
    tokenize(state, text);
}
BENCHMARK(BM_ForEachWord_LowerAscii)->Unit(benchmark::kMillisecond);

// Non-ASCII words: two-byte (Cyrillic) and three-byte (CJK) code points, some capitalised.
void BM_ForEachWord_Cyrillic(benchmark::State& state) {
    static const std::string text = bench::make_text_corpus(8 << 20, 42, bench::TextKind::cyrillic);
    tokenize(state, text);
}
BENCHMARK(BM_ForEachWord_Cyrillic)->Unit(benchmark::kMillisecond);

void BM_ForEachWord_Cjk(benchmark::State& state) {
    static const std::string text = bench::make_text_corpus(8 << 20, 42, bench::TextKind::cjk);
    tokenize(state, text);
}
BENCHMARK(BM_ForEachWord_Cjk)->Unit(benchmark::kMillisecond);

// The table alone: every word of the 8 MiB text looked up (and counted) in a PartitionedTable, as
// count_text does after tokenizing; the words are views tokenized once beforehand.
void BM_TableSlot(benchmark::State& state) {
    static const std::vector<std::string_view> words = [] {
        std::vector<std::string_view> w;
        static std::string lower;  // the lowercased text, so that every word is a view of it
        lower = bench::micro::text_8mib();
        std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
            auto b = static_cast<unsigned char>(c);
            return b >= 0x80 ? ' ' : static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
        });
        ops::for_each_word(lower, [&](std::string_view v) { w.push_back(v); });
        return w;
    }();
    for (auto _ : state) {
        PartitionedTable<std::uint64_t> t;
        for (std::string_view w : words) ++t.slot(w, [] { return std::uint64_t{0}; });
        benchmark::DoNotOptimize(t.size());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(words.size()));
}
BENCHMARK(BM_TableSlot)->Unit(benchmark::kMillisecond);

// Tokenize and count: the whole per-chunk work of word count.
void BM_CountText(benchmark::State& state) {
    const std::string& text = bench::micro::text_8mib();
    for (auto _ : state) {
        wordcount::Partial p;
        wordcount::count_text(text, p);
        benchmark::DoNotOptimize(p.value.size());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_CountText)->Unit(benchmark::kMillisecond);

}  // namespace
