#include "cli/malloc_tuning.hpp"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace parapipe::cli {

namespace {

constexpr int top_pad = 32 << 20;

// For parapipe-image (exec'd): glibc.malloc.hugetlb=1 puts the heap and big mapped chunks on
// transparent huge pages; top_pad as above.
constexpr const char* tunables = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432";

bool g_tuned = false;

bool started_tuned() {
    const char* v = std::getenv(malloc_tuning_env);
    return v != nullptr && std::strcmp(v, "tuned") == 0;
}

}  // namespace

bool malloc_tuned() { return g_tuned || started_tuned(); }

void tune_malloc(std::uint64_t input_bytes) {
    if (!g_tuned && input_bytes >= tune_malloc_from && std::getenv(malloc_tuning_env) == nullptr)
        g_tuned = ::mallopt(M_TOP_PAD, top_pad) == 1;
}

bool set_tuned_malloc_environment() {
    if (std::getenv(malloc_tuning_env) != nullptr) return false;
    // The user's own tunables come last, so that theirs win where both set the same one.
    const char* user = std::getenv("GLIBC_TUNABLES");
    const std::string value = user && *user ? std::string(tunables) + ":" + user : std::string(tunables);
    return ::setenv("GLIBC_TUNABLES", value.c_str(), 1) == 0 && ::setenv(malloc_tuning_env, "tuned", 1) == 0;
}

}  // namespace parapipe::cli
