// inverted_index: for each word, the files it occurs in.
//
//   inverted_index [--mode M] [--workers N] [--chunk-size SIZE] PATH...
//
// Prints WORD<TAB>PATH<TAB>PATH... sorted by the word's bytes; each word's paths are distinct
// and in byte order, as the walker produced them ("ARG/inner/path").
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <parapipe/parapipe.hpp>

#include "cli.hpp"

int main(int argc, char** argv) {
    CLI::App app{"For each word, the files it occurs in", "inverted_index"};
    examples::Options opt;
    examples::add_run_options(app, opt);

    return examples::run_main(app, argc, argv, [&] {
        using WordInFile = std::pair<std::string_view, std::string_view>;
        // files(): one item per whole file (path + contents); chunk_size groups small files.
        auto index = parapipe::files(opt.paths, opt.chunk_size)
                         .flat_map<WordInFile>([](const parapipe::FileItem& file, auto&& emit) {
                             // Each distinct word of the file once: the tokenizer's views live
                             // only during its callback, so keep copies in a set.
                             std::set<std::string, std::less<>> words;
                             parapipe::ops::words(file.data, [&](std::string_view w) {
                                 if (!words.contains(w)) words.emplace(w);
                             });
                             for (const std::string& w : words) emit(WordInFile{w, file.path});
                         })
                         .group_by_key()  // word -> sorted paths (keys and values become std::string)
                         .run(opt.run);
        for (auto& [word, paths] : index) {
            // A file named twice on the command line ("a.txt dir/" holding a.txt too) is read
            // twice: keep each path once.
            paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
            std::fputs(word.c_str(), stdout);
            for (const std::string& p : paths) std::printf("\t%s", p.c_str());
            std::fputc('\n', stdout);
        }
    });
}
