// libFuzzer target: the --ops parser of the image pipeline throws UsageError or returns ops in
// range that round-trip through to_string (fuzz/image_checks.hpp).
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/image_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string failure =
        parapipe::fuzz::check_image_ops(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!failure.empty()) {
        std::fprintf(stderr, "invariant broken: %s\n", failure.c_str());
        std::abort();
    }
    return 0;
}
