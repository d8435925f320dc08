#include "nn/number.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nn {
namespace {

TEST(Number, ReadsDecimalAndExponentNotation) {
  EXPECT_EQ(parse_number("0.5"), 0.5);
  EXPECT_EQ(parse_number("-2"), -2.0);
  EXPECT_EQ(parse_number("1e-05"), 1e-5);
  EXPECT_EQ(parse_number(".5"), 0.5);
  EXPECT_EQ(parse_number("4.9e-324"), 4.9e-324);
}

TEST(Number, IgnoresSurroundingSpacesAndALeadingPlus) {
  EXPECT_EQ(parse_number("  1.5 "), 1.5);
  EXPECT_EQ(parse_number("+3"), 3.0);
  EXPECT_EQ(parse_number(" +3 "), 3.0);
  EXPECT_EQ(parse_integer(" +7"), 7);
  EXPECT_EQ(parse_unsigned("+7 "), 7u);
}

TEST(Number, ReadsInfinitiesAndNan) {
  EXPECT_EQ(parse_number("inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_number("-inf"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_number("+Infinity"), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(*parse_number("nan")));
}

TEST(Number, RefusesEverythingElse) {
  for (const char* text :
       {"", " ", "+", "abc", "1.5x", "1,5", "0x10", "+-1", "--1", "1 2", "1e999", "\t1", "1\n"})
    EXPECT_FALSE(parse_number(text)) << text;
}

TEST(Number, IntegersAreWholeAndInRange) {
  EXPECT_EQ(parse_integer("-12"), -12);
  EXPECT_FALSE(parse_integer("1.0"));
  EXPECT_FALSE(parse_integer("9223372036854775808"));
  EXPECT_EQ(parse_unsigned("18446744073709551615"), 18446744073709551615u);
  EXPECT_FALSE(parse_unsigned("-1"));
  EXPECT_FALSE(parse_unsigned(""));
}

}  // namespace
}  // namespace nn
