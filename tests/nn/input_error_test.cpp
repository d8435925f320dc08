#include "nn/input_error.h"

#include <gtest/gtest.h>

namespace nn {
namespace {

TEST(Quoted, QuotesShortTextAsItIs) {
  EXPECT_EQ(quote_input("relu"), "'relu'");
  EXPECT_EQ(quote_input("café ü"), "'café ü'");
}

TEST(Quoted, EscapesControlBytesSoNoneReachesTheTerminal) {
  EXPECT_EQ(quote_input("a\x1b[31mb\x07"), "'a\\x1b[31mb\\x07'");
  EXPECT_EQ(quote_input("tab\there"), "'tab\\there'");
  // A newline cannot start a second `error:` line.
  EXPECT_EQ(quote_input("x\nerror: forged"), "'x\\nerror: forged'");
  EXPECT_EQ(quote_input("\xc2\x9b"
                        "2J"),
            "'\\xc2\\x9b2J'");  // C1 CSI
}

TEST(Quoted, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(quote_input("caf\xe9"), "'caf\\xe9'");
  EXPECT_EQ(quote_input("\xed\xa0\x80"), "'\\xed\\xa0\\x80'");  // a surrogate
  EXPECT_EQ(quote_input("\xc0\xaf"), "'\\xc0\\xaf'");           // an overlong '/'
}

TEST(Quoted, CutsLongTextAndSaysItsLength) {
  const std::string cell(20'000'000, 'x');
  EXPECT_EQ(quote_input(cell), "'" + std::string(80, 'x') + "...' (20000000 bytes)");
  EXPECT_EQ(quote_input(std::string(80, 'y')), "'" + std::string(80, 'y') + "'");
  EXPECT_EQ(quote_input("abcdef", 3), "'abc...' (6 bytes)");
}

TEST(Utf8Length, MeasuresValidSequencesAndRefusesOthers) {
  EXPECT_EQ(utf8_length("a", 0), 1u);
  EXPECT_EQ(utf8_length("é", 0), 2u);
  EXPECT_EQ(utf8_length("€", 0), 3u);
  EXPECT_EQ(utf8_length("😀", 0), 4u);
  EXPECT_EQ(utf8_length("\xe9", 0), 0u);
  EXPECT_EQ(utf8_length("\xe2\x82", 0), 0u);  // cut short
}

TEST(InputError, EscapesControlBytesInTheFileNameWithoutCuttingIt) {
  const std::string long_name(200, 'd');
  EXPECT_EQ(InputError("a\x1b[2Jb.csv", 1, 2, "m").describe(), "a\\x1b[2Jb.csv:1:2: error: m");
  EXPECT_EQ(InputError(long_name, 0, 0, "m").describe(), long_name + ": error: m");
  EXPECT_EQ(InputError("", 0, 0, "m").describe(), "error: m");
}

}  // namespace
}  // namespace nn
