// Replays the fuzz targets' seed corpora (fuzz/corpus/<target>/) and every input that once broke
// an invariant (fuzz/regressions/<target>/) through the same checks the targets run
// (fuzz/checks.hpp), so a fixed crash stays fixed in the normal test run, without clang.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>

#include "fuzz/checks.hpp"
#ifdef PARAPIPE_HAVE_IMAGE_OPS
#include "fuzz/image_checks.hpp"
#endif

namespace parapipe {
namespace {

namespace fs = std::filesystem;

// Runs `check` on every file of fuzz/{corpus,regressions}/<target>/; returns how many it read.
int replay(const std::string& target, const std::function<std::string(std::string_view)>& check) {
    const char* src = PARAPIPE_HARDENING_SOURCE_DIR;  // the source folder, known at build time
    int n = 0;
    for (const char* kind : {"corpus", "regressions"}) {
        const fs::path dir = fs::path(src) / "fuzz" / kind / target;
        if (!fs::is_directory(dir)) continue;
        for (const auto& e : fs::directory_iterator(dir)) {
            if (!e.is_regular_file()) continue;
            const std::string data = testing::read_file(e.path());
            EXPECT_EQ(check(data), "") << e.path();
            ++n;
        }
    }
    return n;
}

TEST(FuzzRegressions, WordsAndChunker) {
    EXPECT_GT(replay("fuzz_words_chunker", fuzz::check_words_and_chunker), 0);
}

TEST(FuzzRegressions, ParseSize) { EXPECT_GT(replay("fuzz_parse_size", fuzz::check_parse_size), 0); }

#ifdef PARAPIPE_HAVE_IMAGE_OPS
TEST(FuzzRegressions, ImageOps) { EXPECT_GT(replay("fuzz_image_ops", fuzz::check_image_ops), 0); }
#endif

// The checks themselves catch what they claim to (a check that never fails proves nothing).
TEST(FuzzRegressions, ChecksHoldOnKnownCases) {
    EXPECT_EQ(fuzz::check_parse_size("8MiB"), "");
    EXPECT_EQ(fuzz::check_parse_size("1125899906842624"), "");  // 2^50: the largest size
    EXPECT_EQ(fuzz::check_parse_size("1125899906842625"), "");  // refused, as it should be
    EXPECT_EQ(fuzz::check_words_and_chunker("a b\xFF\xC3 \xE2\x82 caf\xC3\xA9 CAF\xC3\x89"), "");
}

}  // namespace
}  // namespace parapipe
