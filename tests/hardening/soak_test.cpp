// Soak: 1,000 short jobs in a row through the C++ API, alternating every mode and worker
// counts 1-3; open descriptors, this process's /dev/shm segments, threads and child processes
// must stay flat. (250 jobs with PARAPIPE_TEST_SMALL, for sanitizer runs.)
#include <gtest/gtest.h>

#include <filesystem>

#include <parapipe/operators/utf8.hpp>
#include <parapipe/parapipe.hpp>
#include <parapipe/pipelines/wordcount.hpp>

#include "tests/hardening/hardening_support.hpp"

namespace parapipe {
namespace {

int count_threads() {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
    return n;
}

TEST(Soak, AThousandJobsLeaveNothingBehind) {
    testing::TempDir dir;
    std::string text;
    for (int i = 0; i < 3000; ++i) text.append("soak").append(std::to_string(i % 50)).append(i % 9 ? " " : "\n");
    const std::string path = dir.write("soak.txt", text);

    std::vector<Mode> modes;
    for (Mode m : {Mode::seq, Mode::threads, Mode::processes, Mode::shm})
        if (testing::mode_enabled(m)) modes.push_back(m);
    const int jobs = testing::test_small() ? 250 : 1000;

    // Each job opens its own source, as a user's program would: the source's mappings count too.
    auto job = [&](Mode m, unsigned workers) {
        auto src = wordcount::open({path}, 4096);
        return run(wordcount::make_plan(src), {.mode = m, .workers = workers});
    };
    const auto expected = job(Mode::seq, 1);
    ASSERT_EQ(expected.total_words, 3000u);
    for (Mode m : modes) job(m, 2);  // one-time setup (TBB) before the baseline

    const int fds = testing::count_open_fds();
    const int segments = testing::count_shm_segments();
    const int threads = count_threads();
    for (int i = 0; i < jobs; ++i) {
        const Mode m = modes[static_cast<std::size_t>(i) % modes.size()];
        const auto r = job(m, 1 + static_cast<unsigned>(i / modes.size()) % 3);
        ASSERT_EQ(r.words, expected.words) << "job " << i << " " << to_string(m);
        if (i % 100 == 99) {  // flat all along, not only at the end
            ASSERT_EQ(testing::count_open_fds(), fds) << "after job " << i;
            ASSERT_EQ(testing::count_children(), 0) << "after job " << i;
        }
    }
    EXPECT_EQ(testing::count_open_fds(), fds);
    EXPECT_EQ(testing::count_shm_segments(), segments);
    EXPECT_EQ(count_threads(), threads);
    EXPECT_EQ(testing::count_children(), 0);
}

}  // namespace
}  // namespace parapipe
