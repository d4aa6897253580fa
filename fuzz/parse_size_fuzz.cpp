// libFuzzer target: parse_size (--chunk-size) throws UsageError or returns digits × unit.
#include <cstdio>
#include <cstdlib>

#include "fuzz/checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string failure =
        parapipe::fuzz::check_parse_size(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!failure.empty()) {
        std::fprintf(stderr, "invariant broken: %s\n", failure.c_str());
        std::abort();
    }
    return 0;
}
