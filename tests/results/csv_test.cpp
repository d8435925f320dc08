#include "results/csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "nn/input_error.h"

namespace results {
namespace {

std::vector<CsvRecord> read_all(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in, "t.csv");
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (reader.next(record)) records.push_back(record);
  return records;
}

std::vector<std::string> texts(const CsvRecord& record) {
  std::vector<std::string> out;
  for (const auto& field : record.fields) out.push_back(field.text);
  return out;
}

TEST(Csv, QuotesOnlyFieldsThatNeedIt) {
  const std::vector<std::string> fields = {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""};
  EXPECT_EQ(format_row(fields), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\n");
}

TEST(Csv, NumbersUseShortestRoundTripText) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(0.03), "0.03");
  EXPECT_EQ(format_number(1e-5), "1e-05");
  EXPECT_EQ(format_number(3), "3");
  EXPECT_EQ(format_number(-2.5), "-2.5");
  EXPECT_EQ(format_number(std::numeric_limits<double>::quiet_NaN()), "");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(Csv, NumbersRoundTripExactly) {
  const double values[] = {0.1 + 0.2,
                           1.0 / 3.0,
                           6.02214076e23,
                           4.9e-324,
                           -0.0,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
  for (double value : values) {
    auto back = parse_cell(format_number(value));
    ASSERT_TRUE(back) << value;
    EXPECT_EQ(std::signbit(*back), std::signbit(value));
    EXPECT_EQ(*back, value);
  }
  EXPECT_TRUE(std::isnan(*parse_cell("")));
  EXPECT_FALSE(parse_cell("1.5x"));
  EXPECT_FALSE(parse_cell("abc"));
}

TEST(Csv, ReadsQuotedFieldsWithEmbeddedLineBreaks) {
  auto records = read_all("a,b,c\n\"x,1\",\"say \"\"hi\"\"\",\"l1\nl2\"\n3,,\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(texts(records[1]), (std::vector<std::string>{"x,1", "say \"hi\"", "l1\nl2"}));
  EXPECT_EQ(texts(records[2]), (std::vector<std::string>{"3", "", ""}));
  EXPECT_FALSE(records[2].torn);
}

TEST(Csv, WhatItWritesItReadsBack) {
  const std::vector<std::string> fields = {"a,b", "\"", "\r\n", "", " x "};
  auto records = read_all(format_row(fields) + format_row(fields));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(texts(records[0]), fields);
  EXPECT_EQ(texts(records[1]), fields);
}

TEST(Csv, FieldsKnowTheirPosition) {
  auto records = read_all("a,b\n\"x\ny\",zz\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields[1].line, 3);
  EXPECT_EQ(records[1].fields[1].column, 4);
  try {
    number_field(records[1].fields[1], "t.csv");
    FAIL();
  } catch (const nn::InputError& e) {
    EXPECT_EQ(e.describe(), "t.csv:3:4: error: expected a number, found 'zz'");
  }
}

}  // namespace
}  // namespace results
