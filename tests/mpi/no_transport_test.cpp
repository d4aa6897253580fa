// Mode::mpi in a program that does not link parapipe::mpi: a UsageError naming the library,
// before any work, and every other mode unaffected.
#include <gtest/gtest.h>

#include <parapipe/parapipe.hpp>

namespace {

TEST(MpiWithoutTransport, IsAUsageErrorNamingTheLibrary) {
    auto flow = parapipe::generate(100, [](std::uint64_t i) { return i; }).sum();
    try {
        flow.run({.mode = parapipe::Mode::mpi, .workers = 2});
        FAIL() << "Mode::mpi ran without parapipe::mpi";
    } catch (const parapipe::UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("parapipe::mpi"), std::string::npos) << e.what();
    }
    EXPECT_EQ(flow.run({.mode = parapipe::Mode::threads, .workers = 2}), 4950u);
}

TEST(MpiWithoutTransport, ModeNameRoundTrips) {
    EXPECT_EQ(parapipe::parse_mode("mpi"), parapipe::Mode::mpi);
    EXPECT_EQ(parapipe::to_string(parapipe::Mode::mpi), "mpi");
}

}  // namespace
