#pragma once
// Helpers shared by the test binaries: temporary folders, the every-mode runner, the plain
// reference word count used as the oracle, and a way to run the parapipe binary.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <parapipe/engine/options.hpp>

namespace parapipe::testing {

/// A fresh folder under $TMPDIR, removed with everything in it on destruction.
/// Under mpirun (tests/mpi/every_mode.sh) the ranks of one job share each folder, as a cluster's
/// ranks share a file system: the n-th TempDir has the same path on every rank, each rank writes
/// the same files (atomically, so a rank never reads half a file), and none removes it (another
/// rank may still read it; the script gives the job a $TMPDIR of its own and removes that).
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    /// Writes `content` to path()/name (creating folders) and returns the full path.
    std::string write(const std::string& name, std::string_view content) const;

private:
    std::filesystem::path path_;
    bool shared_ = false;
};

/// Every (mode, workers) pair tests must cover: seq once, the parallel modes with 1, 2, 4.
/// $PARAPIPE_TEST_MODES (e.g. "seq,threads", used under TSan, which cannot follow fork)
/// keeps only the modes it lists. mpi (1 and 2 threads per rank) only when it lists mpi: the
/// binary must link parapipe::mpi, and the mode means something under mpirun
/// (tests/mpi/every_mode.sh). Compare a run's result with expected_here(), not the expected one.
struct ModeCase {
    Mode mode;
    unsigned workers;
    std::string name() const;
};
std::vector<ModeCase> all_mode_cases();
/// False when $PARAPIPE_TEST_MODES is set and does not list `m` (mpi: true only when listed).
bool mode_enabled(Mode m);
/// True when a run of `mc` returns its result in this process: always, except in mpi mode on a
/// rank other than 0, where run() returns an empty result (README, "Many machines").
bool output_here(const ModeCase& mc);
/// What a run of `mc` must return here: `expected` where the result comes out, an empty R on
/// the other mpi ranks (which must still finish the run cleanly).
template <class R>
R expected_here(const ModeCase& mc, const R& expected) {
    return output_here(mc) ? expected : R{};
}
/// True when $PARAPIPE_TEST_SMALL is set (sanitizer runs): heavy tests use smaller inputs.
bool test_small();

/// The reference word count: ICU U8_NEXT on every code point, u_tolower, std::map.
/// Kept deliberately plain: it is the oracle, not the fast path.
struct ReferenceCount {
    std::map<std::string, std::uint64_t> counts;
    std::uint64_t words = 0;
    std::uint64_t invalid_bytes = 0;
};
void reference_count(std::string_view text, ReferenceCount& into);
/// The reference result as parapipe's TSV (count desc, then word bytes asc).
std::string reference_tsv(const ReferenceCount& r);

/// Result of running the parapipe binary.
struct Exec {
    int code = -1;  ///< exit code, or 128 + signal
    std::string out;
    std::string err;
};
/// Runs $PARAPIPE_BIN with args; `stdin_data` is fed to its standard input.
Exec run_parapipe(const std::vector<std::string>& args, const std::string& stdin_data = "");

/// Polls `ready` until it holds; false after a deadline of a minute, which only bounds a
/// failure: tests wait for a condition, never for a fixed time.
template <class F>
bool wait_until(F ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!ready()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

/// Reads a whole file.
std::string read_file(const std::filesystem::path& p);

/// Segments in /dev/shm created by process `pid` (default: this one), named "parapipe-<pid>-...".
/// Scoped by pid so that parallel test runs do not see each other's segments.
int count_shm_segments(int pid = 0);
/// Open file descriptors of this process.
int count_open_fds();
/// Pids of the children of process `pid` (default: this one) that still exist, zombies included.
std::vector<int> children_of(int pid = 0);
/// Children of this process that still exist (including zombies).
int count_children();

}  // namespace parapipe::testing
