// Bounded memory. Word count over an input far larger than the chunk size keeps the peak RSS
// (VmHWM) of the coordinator and of every worker under
//     64 MiB + workers × 2 × chunk size + the size of the result,
// whatever the input size. The parapipe binary reports each process's VmHWM at exit when
// $PARAPIPE_REPORT_HWM names a file (engine/worker_process.cpp, cli/main.cpp). Mapped input
// pages count in RSS: the engine drops each chunk's pages when done (TextSource::release).
// Skipped under sanitizers (shadow memory inflates RSS) and with PARAPIPE_TEST_SMALL.
#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/hardening/hardening_support.hpp"

namespace parapipe {
namespace {

using testing::TempDir;

constexpr std::uint64_t MiB = 1 << 20;

struct Peak {
    long pid = 0;
    std::string role;
    std::uint64_t kib = 0;
};

std::vector<Peak> read_peaks(const std::string& path) {
    std::vector<Peak> out;
    std::ifstream f(path);
    for (Peak p; f >> p.pid >> p.role >> p.kib;) out.push_back(p);
    return out;
}

// Runs the binary with the VmHWM report on; returns the peaks (and the run in `r`).
std::vector<Peak> run_measured(const std::vector<std::string>& args, const TempDir& dir, testing::Exec& r,
                               const hardening::Redirect& io = {}) {
    const std::string report = (dir.path() / "hwm.txt").string();
    std::remove(report.c_str());
    ::setenv("PARAPIPE_REPORT_HWM", report.c_str(), 1);
    r = hardening::run_with(args, nullptr, dir.path().string(), io);
    ::unsetenv("PARAPIPE_REPORT_HWM");
    return read_peaks(report);
}

bool enough_disk(const TempDir& dir, std::uint64_t bytes) {
    struct statvfs st {};
    return ::statvfs(dir.path().c_str(), &st) == 0 && std::uint64_t{st.f_bavail} * st.f_frsize > bytes;
}

#define SKIP_UNLESS_MEASURABLE()                                                                 \
    if (PARAPIPE_UNDER_SANITIZER) GTEST_SKIP() << "sanitizers' shadow memory inflates RSS";      \
    if (testing::test_small()) GTEST_SKIP() << "PARAPIPE_TEST_SMALL: the 2 GiB input is too slow"

TEST(Memory, TwoGibInputStaysWithinTheBoundInEveryParallelMode) {
    SKIP_UNLESS_MEASURABLE();
    TempDir dir;
    if (!enough_disk(dir, 5 * 1024 * MiB)) GTEST_SKIP() << "less than 5 GiB free in " << dir.path();
    // Twelve distinct words per line: a tiny result, and counts we know without counting.
    const std::string line = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu\n";
    const std::uint64_t copies = 2048 * MiB / line.size();
    const std::string input = (dir.path() / "big.txt").string();
    hardening::write_repeated(input, line, copies * line.size());
    std::string expected;
    for (const char* w : {"alpha", "beta", "delta", "epsilon", "eta", "gamma", "iota", "kappa", "lambda", "mu",
                          "theta", "zeta"})
        expected += std::string(w) + "\t" + std::to_string(copies) + "\n";

    const unsigned workers = 2;
    const std::uint64_t chunk = 8 * MiB;
    const std::uint64_t bound_kib = (64 * MiB + workers * 2 * chunk + expected.size()) / 1024;
    struct Case {
        const char* mode;
        bool from_stdin;
    };
    for (Case c : {Case{"threads", false}, Case{"shm", false}, Case{"processes", false}, Case{"threads", true}}) {
        const std::string name = std::string(c.mode) + (c.from_stdin ? " (stdin)" : "");
        SCOPED_TRACE(name);
        hardening::Redirect io;
        std::vector<std::string> args{"run", "wordcount", "--mode", c.mode, "--workers", std::to_string(workers),
                                      "--chunk-size", "8MiB"};
        if (c.from_stdin) io.stdin_path = input;  // a regular file on stdin: mapped like a file
        else args.push_back(input);
        testing::Exec r;
        const auto peaks = run_measured(args, dir, r, io);
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(r.out, expected);
        ASSERT_FALSE(peaks.empty()) << "no VmHWM report: is PARAPIPE_REPORT_HWM wired?";
        int coordinators = 0, worker_count = 0;
        for (const Peak& p : peaks) {
            (p.role == "coordinator" ? coordinators : worker_count)++;
            EXPECT_LE(p.kib, bound_kib) << p.role << " " << p.pid;
            std::printf("[ memory   ] %-17s %-11s pid %-7ld VmHWM %6llu KiB  (bound %llu KiB)\n", name.c_str(),
                        p.role.c_str(), p.pid, static_cast<unsigned long long>(p.kib),
                        static_cast<unsigned long long>(bound_kib));
        }
        EXPECT_EQ(coordinators, 1);
        EXPECT_EQ(worker_count, std::string(c.mode) == "threads" ? 0 : static_cast<int>(workers));
    }
}

// A file without a single separator is one word, however long: it is counted (1 word) and
// printed whole. Its chunk is the whole file (a word is never cut), and the result holds the
// word, so memory is bounded by the word's size: measured 48 MiB + 3 × the word (the hash map
// key, the sorted result and the formatted output live at once; about 2 × since the TSV line
// no longer copies it), asserted as 64 MiB + 4 × word.
// 256 MiB keeps the test quick; 1 GiB behaves the same but takes ~10 s per mode.
TEST(Memory, FileWithoutASeparatorIsOneWordWithinItsBound) {
    const std::uint64_t size = testing::test_small() ? 16 * MiB : 256 * MiB;
    TempDir dir;
    if (!enough_disk(dir, 3 * size)) GTEST_SKIP() << "not enough free disk in " << dir.path();
    const std::string input = (dir.path() / "one_word.txt").string();
    hardening::write_repeated(input, "x", size);
    const std::string out = (dir.path() / "out.tsv").string();
    for (Mode m : {Mode::seq, Mode::threads, Mode::processes, Mode::shm}) {
        if (!testing::mode_enabled(m)) continue;
        SCOPED_TRACE(std::string(to_string(m)));
        hardening::Redirect io;
        io.stdout_path = out;
        testing::Exec r;
        const auto peaks =
            run_measured({"run", "wordcount", input, "--mode", std::string(to_string(m)), "--workers", "2"}, dir, r, io);
        ASSERT_EQ(r.code, 0) << r.err;
        std::ifstream f(out, std::ios::binary | std::ios::ate);
        EXPECT_EQ(static_cast<std::uint64_t>(f.tellg()), size + 3);  // the word, a tab, "1\n"
        f.seekg(-3, std::ios::end);
        std::string tail(3, '\0');
        f.read(tail.data(), 3);
        EXPECT_EQ(tail, "\t1\n");
        if (PARAPIPE_UNDER_SANITIZER) continue;
        for (const Peak& p : peaks) {
            EXPECT_LE(p.kib * 1024, 64 * MiB + 4 * size) << p.role << " " << p.pid;
            std::printf("[ memory   ] one word of %llu MiB, %-9s %-11s VmHWM %7llu KiB\n",
                        static_cast<unsigned long long>(size / MiB), std::string(to_string(m)).c_str(),
                        p.role.c_str(), static_cast<unsigned long long>(p.kib));
        }
    }
}

}  // namespace
}  // namespace parapipe
