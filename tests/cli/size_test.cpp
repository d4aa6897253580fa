// parse_size (engine/text_source.hpp): the sizes --chunk-size accepts.
#include <gtest/gtest.h>

#include <parapipe/engine/errors.hpp>
#include "cli/size.hpp"

namespace parapipe {
namespace {

TEST(ParseSize, AcceptsUnits) {
    EXPECT_EQ(parse_size("1"), 1u);
    EXPECT_EQ(parse_size("65536"), 65536u);
    EXPECT_EQ(parse_size("64KiB"), 64u << 10);
    EXPECT_EQ(parse_size("4k"), 4u << 10);
    EXPECT_EQ(parse_size("8MiB"), 8u << 20);
    EXPECT_EQ(parse_size("2M"), 2u << 20);
    EXPECT_EQ(parse_size("1GiB"), 1u << 30);
}

TEST(ParseSize, RejectsGarbageAndZero) {
    for (const char* bad : {"", "0", "0KiB", "abc", "12XB", "-5", "1.5MiB", "KiB", "99999999999999999999"})
        EXPECT_THROW(parse_size(bad), UsageError) << bad;
}

}  // namespace
}  // namespace parapipe
