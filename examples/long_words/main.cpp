// long_words: the most frequent words longer than seven letters in files or folders.
//
//   long_words [--mode M] [--workers N] [--chunk-size SIZE] [--top K] PATH...
//
// Prints WORD<TAB>COUNT, most frequent first (ties by the word's bytes).
#include <cstdio>
#include <string_view>

#include <parapipe/parapipe.hpp>

#include "cli.hpp"

namespace {

// Code points, not bytes: "Übermäßig" is nine letters long.
std::size_t code_points(std::string_view w) {
    std::size_t n = 0;
    for (unsigned char c : w) n += (c & 0xC0) != 0x80;
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"The most frequent words longer than seven letters", "long_words"};
    examples::Options opt;
    examples::add_run_options(app, opt);
    std::size_t top = 20;
    app.add_option("--top", top, "how many words to print (default 20, 0: all)")->transform(examples::Decimal);

    return examples::run_main(app, argc, argv, [&] {
        auto longest = parapipe::text_files(opt.paths, opt.chunk_size)  // text cut between words
                           .flat_map(parapipe::ops::words)               // lowercased Unicode words
                           .filter([](std::string_view w) { return code_points(w) > 7; })
                           .count_by_key(parapipe::Identity{}, parapipe::most_frequent(top))
                           .run(opt.run);
        for (const auto& [word, count] : longest)
            std::printf("%s\t%llu\n", word.c_str(), static_cast<unsigned long long>(count));
    });
}
