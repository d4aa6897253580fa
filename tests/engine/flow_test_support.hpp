#pragma once
// What the flow tests (flow_test.cpp, keyed_flow_test.cpp) share: a user's value type, a check
// in every mode, a generated source.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include <parapipe/parapipe.hpp>

#include "tests/support/test_support.hpp"

namespace parapipe::testing {

// A user's value type: one PARAPIPE_FIELDS line and it runs in every mode.
struct MinMax {
    std::int64_t count = 0, sum = 0, min = 0, max = 0;
    PARAPIPE_FIELDS(count, sum, min, max)
    friend bool operator==(const MinMax&, const MinMax&) = default;
};
inline MinMax combine(MinMax a, const MinMax& b) {
    return {a.count + b.count, a.sum + b.sum, std::min(a.min, b.min), std::max(a.max, b.max)};
}

// Runs make() in every mode and checks that each gives `expected` (an empty result on the mpi
// ranks that do not output).
template <class Make, class T>
void expect_everywhere(Make make, const T& expected) {
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        EXPECT_EQ(make().run({.mode = mc.mode, .workers = mc.workers}), testing::expected_here(mc, expected));
    }
}

inline auto numbers(std::uint64_t n) {
    return generate(n, [](std::uint64_t i) { return (i * 7919) % 1000; }, 37);
}

}  // namespace parapipe::testing
