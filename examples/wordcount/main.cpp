// long_words: counts the words longer than seven letters in files or directories, with a
// pipeline declared in C++ on top of the installed parapipe package.
//
//   long_words [--mode seq|threads|processes|shm] [--workers N] [--top K] PATH...
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <parapipe/parapipe.hpp>

namespace {

// Code points, not bytes: "Übermäßig" is nine letters long.
std::size_t code_points(std::string_view w) {
    std::size_t n = 0;
    for (unsigned char c : w) n += (c & 0xC0) != 0x80;
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    parapipe::RunOptions options{.mode = parapipe::Mode::threads, .workers = 2};
    std::size_t top = 20;
    std::vector<std::string> paths;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--mode" && i + 1 < argc) {
            auto m = parapipe::parse_mode(argv[++i]);
            if (!m) return std::fprintf(stderr, "long_words: unknown mode %s\n", argv[i]), 2;
            options.mode = *m;
        } else if (a == "--workers" && i + 1 < argc) {
            options.workers = static_cast<unsigned>(std::atoi(argv[++i]));
        } else if (a == "--top" && i + 1 < argc) {
            top = static_cast<std::size_t>(std::atoll(argv[++i]));
        } else {
            paths.push_back(a);
        }
    }

    try {
        auto longest = parapipe::text_files(paths)
                           .flat_map(parapipe::ops::words)  // lowercased Unicode words
                           .filter([](std::string_view w) { return code_points(w) > 7; })
                           .reduce(parapipe::ops::count_by_key(top))
                           .run(options);
        for (const auto& [word, count] : longest) std::printf("%s\t%llu\n", word.c_str(), static_cast<unsigned long long>(count));
    } catch (const parapipe::UsageError& e) {
        std::fprintf(stderr, "long_words: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "long_words: %s\n", e.what());
        return 1;
    }
    return 0;
}
