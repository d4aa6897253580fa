// libFuzzer target: the UTF-8 tokenizer with the chunker. Any byte string counts the same
// whole, by the reference, and cut into chunks of any size (fuzz/checks.hpp).
#include <cstdio>
#include <cstdlib>

#include "fuzz/checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string failure =
        parapipe::fuzz::check_words_and_chunker(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!failure.empty()) {
        std::fprintf(stderr, "invariant broken: %s\n", failure.c_str());
        std::abort();
    }
    return 0;
}
