// main() of the GoogleTest binaries run under mpirun (tests/mpi/every_mode.sh): rank 0 prints
// GoogleTest's usual report; every other rank prints only its failures, to standard error and
// marked with its rank (mpi mode sends a rank's standard output to /dev/null), so that the
// ranks' reports do not interleave and a failure on any rank is seen. A failure on any rank
// makes that rank exit 1, and so mpirun.
#include <gtest/gtest.h>

#include <cstdio>

#include <parapipe/engine/mpi_transport.hpp>

namespace {

class RankFailures : public ::testing::EmptyTestEventListener {
public:
    explicit RankFailures(int rank) : rank_(rank) {}
    void OnTestPartResult(const ::testing::TestPartResult& r) override {
        if (!r.failed()) return;
        std::fprintf(stderr, "rank %d: %s:%d: Failure\n%s\n", rank_, r.file_name() ? r.file_name() : "?",
                     r.line_number(), r.message());
    }
    void OnTestEnd(const ::testing::TestInfo& t) override {
        if (t.result()->Failed())
            std::fprintf(stderr, "rank %d: [  FAILED  ] %s.%s\n", rank_, t.test_suite_name(), t.name());
    }

private:
    int rank_;
};

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    if (const int rank = parapipe::launcher_rank(); rank != 0) {
        auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
        delete listeners.Release(listeners.default_result_printer());
        listeners.Append(new RankFailures(rank));
    }
    return RUN_ALL_TESTS();
}
