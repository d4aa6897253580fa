// Counts the words of its arguments with the installed library, in threads mode.
#include <cstdio>

#include <parapipe/parapipe.hpp>
#include <parapipe/pipelines/wordcount.hpp>

int main(int argc, char** argv) {
    using namespace parapipe;
    RunOptions opt{.mode = Mode::threads, .workers = 2, .cancel = cancel_on_signals()};
    auto r = wordcount::count(wordcount::open({argv + 1, argv + argc}, 1 << 16), 3, opt);
    for (const auto& [word, n] : r.words) std::printf("%s\t%llu\n", word.c_str(), static_cast<unsigned long long>(n));
    return 0;
}
