// freq_of_freq: a two-stage pipeline. Stage 1 counts the words of files or folders; stage 2
// starts from that result and counts, for each k, how many distinct words occur exactly k times.
//
//   freq_of_freq [--mode M] [--workers N] [--chunk-size SIZE] PATH...
//
// Prints K<TAB>WORDS, by k ascending.
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include <parapipe/parapipe.hpp>

#include "cli.hpp"

int main(int argc, char** argv) {
    CLI::App app{"For each k, the number of distinct words that occur exactly k times", "freq_of_freq"};
    examples::Options opt;
    examples::add_run_options(app, opt);

    return examples::run_main(app, argc, argv, [&] {
        // Stage 1: word -> count (a vector of pairs, sorted by word).
        auto counts = parapipe::text_files(opt.paths, opt.chunk_size)
                          .flat_map(parapipe::ops::words)
                          .count_by_key()
                          .run(opt.run);
        // Stage 2: the result of a run is an ordinary value; range() makes it the next source.
        auto freq = parapipe::range(std::move(counts))
                        .count_by_key([](const std::pair<std::string, std::uint64_t>& wc) { return wc.second; })
                        .run(opt.run);
        for (const auto& [k, words] : freq)
            std::printf("%llu\t%llu\n", static_cast<unsigned long long>(k), static_cast<unsigned long long>(words));
    });
}
