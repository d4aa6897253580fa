#include "bench/micro/micro_corpus.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "bench/corpus/text_corpus.hpp"

namespace parapipe::bench::micro {

const std::string& text_8mib() {
    static const std::string text = make_text_corpus(8 << 20, 42);
    return text;
}

namespace {
struct TempFiles {
    std::map<std::size_t, std::string> paths;
    ~TempFiles() {
        for (const auto& [mib, p] : paths) std::filesystem::remove(p);
    }
};
}  // namespace

const std::string& text_file(std::size_t mib) {
    static TempFiles files;
    auto it = files.paths.find(mib);
    if (it != files.paths.end()) return it->second;
    auto path = (std::filesystem::temp_directory_path() /
                 ("parapipe-micro-" + std::to_string(::getpid()) + "-" + std::to_string(mib) + "MiB.txt"))
                    .string();
    write_text_corpus(path, mib << 20, 42);
    return files.paths.emplace(mib, path).first->second;
}

wordcount::Partial partial_of(const std::string& text) {
    wordcount::Partial p;
    wordcount::count_text(text, p);
    return p;
}

}  // namespace parapipe::bench::micro
