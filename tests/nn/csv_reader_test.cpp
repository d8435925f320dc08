#include "nn/csv_reader.h"

#include <gtest/gtest.h>

#include <sstream>

#include "nn/input_error.h"

namespace nn {
namespace {

std::vector<CsvRecord> from_memory(std::string_view text, CsvLimits limits = {}) {
  CsvReader reader(text, "t.csv", limits);
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (reader.next(record)) records.push_back(record);
  return records;
}

std::vector<CsvRecord> from_stream(const std::string& text, std::uint64_t* complete = nullptr) {
  std::istringstream in(text);
  CsvReader reader(in, "t.csv");
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (reader.next(record)) records.push_back(record);
  if (complete) *complete = reader.complete_bytes();
  return records;
}

std::vector<std::vector<std::string>> texts(const std::vector<CsvRecord>& records) {
  std::vector<std::vector<std::string>> out;
  for (const auto& record : records) {
    out.emplace_back();
    for (const auto& field : record.fields) out.back().push_back(field.text);
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

std::string error_of(std::string_view text) {
  try {
    from_memory(text);
  } catch (const InputError& e) {
    return e.describe();
  }
  return "no error";
}

TEST(CsvReader, SplitsFieldsAtCommasAndRecordsAtLineBreaks) {
  EXPECT_EQ(texts(from_memory("a,b\n1,2\n,\n")), (Rows{{"a", "b"}, {"1", "2"}, {"", ""}}));
}

TEST(CsvReader, QuotedFieldsHoldCommasLineBreaksAndDoubledQuotes) {
  EXPECT_EQ(texts(from_memory("\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"\"\n")),
            (Rows{{"a,b", "say \"hi\"", "l1\nl2", ""}}));
}

TEST(CsvReader, EndsLinesAtLfCrLfOrALoneCr) {
  EXPECT_EQ(texts(from_memory("a\nb\r\nc\rd")), (Rows{{"a"}, {"b"}, {"c"}, {"d"}}));
  const auto records = from_memory("a\rb\r\nc");
  EXPECT_EQ(records[1].fields[0].line, 2);
  EXPECT_EQ(records[2].fields[0].line, 3);
}

TEST(CsvReader, SkipsBlankLinesOfEveryKind) {
  EXPECT_EQ(texts(from_memory("\n\r\n\ra\n\n\r\rb\r\n\r\n")), (Rows{{"a"}, {"b"}}));
}

TEST(CsvReader, SkipsAByteOrderMarkAndCountsColumnsAfterIt) {
  const auto records = from_memory("\xEF\xBB\xBFx,y\n");
  EXPECT_EQ(texts(records), (Rows{{"x", "y"}}));
  EXPECT_EQ(records[0].fields[1].column, 3);
  EXPECT_EQ(texts(from_memory("\xEF\xBB\xBF")), Rows{});
}

TEST(CsvReader, FieldsKnowWhereTheyStartAfterQuotedLineBreaks) {
  const auto records = from_memory("a,b\n\"x\ny\",zz\n");
  EXPECT_EQ(records[1].fields[0].line, 2);
  EXPECT_EQ(records[1].fields[0].column, 1);
  EXPECT_EQ(records[1].fields[1].line, 3);
  EXPECT_EQ(records[1].fields[1].column, 4);
}

TEST(CsvReader, QuoteInsideAnUnquotedFieldIsAnErrorAtTheQuote) {
  EXPECT_EQ(error_of("a,b\n1,x\"y\n"), "t.csv:2:4: error: quote inside an unquoted field");
}

TEST(CsvReader, TextAfterAClosingQuoteIsAnErrorAtTheText) {
  EXPECT_EQ(error_of("a,\"b\"c\n"), "t.csv:1:6: error: unexpected text after a closing quote");
  EXPECT_EQ(error_of("\"a\nb\" c\n"), "t.csv:2:3: error: unexpected text after a closing quote");
}

TEST(CsvReader, MarksALastRecordWithoutLineBreakAsTorn) {
  std::uint64_t complete = 0;
  const auto records = from_stream("a,b\n1,2\n3,", &complete);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_FALSE(records[1].torn);
  EXPECT_TRUE(records[2].torn);
  EXPECT_FALSE(records[2].unclosed);
  EXPECT_EQ(texts(records)[2], (std::vector<std::string>{"3", ""}));
  EXPECT_EQ(complete, 8u);
}

TEST(CsvReader, CompleteInputHasNoTornRecord) {
  std::uint64_t complete = 0;
  const auto records = from_stream("a\n1\n", &complete);
  EXPECT_FALSE(records.back().torn);
  EXPECT_EQ(complete, 4u);
}

TEST(CsvReader, MarksARecordTornInsideQuotesAsUnclosed) {
  const auto records = from_memory("a\n1,\"half\nwritten");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[1].torn);
  EXPECT_TRUE(records[1].unclosed);
  EXPECT_EQ(records[1].fields[1].line, 2);
  EXPECT_EQ(records[1].fields[1].column, 3);
}

TEST(CsvReader, RecordsKnowTheirByteRanges) {
  const auto records = from_memory("ab\r\n\"c\nd\",e\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].end, 4u);
  EXPECT_EQ(records[1].begin, 4u);
  EXPECT_EQ(records[1].end, 12u);
}

TEST(CsvReader, RefusesAFieldLongerThanTheLimitAtItsStart) {
  const std::string text = "x,y\n1," + std::string(20, 'a') + "\n";
  CsvReader reader(text, "t.csv", {.max_field_bytes = 10});
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  try {
    reader.next(record);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.describe(), "t.csv:2:3: error: a cell of 11 bytes, more than the 10 nnsweep reads");
  }
  EXPECT_EQ(texts(from_memory(text, {.max_field_bytes = 20})).size(), 2u);
}

// A stream is read in chunks of 64 KiB: whatever byte a chunk ends on (inside a CRLF, between
// the two quotes of "", right after a closing quote), the records are those read from memory.
TEST(CsvReader, ReadsTheSameFromAStreamWhereverAChunkEnds) {
  const std::string tail = "\r\n\"q\"\"x\",\"a\r\nb\",c\r\"\"\n\"e\"\r\n";
  for (std::size_t pad = 65536 - 30; pad <= 65536 + 2; ++pad) {
    const std::string text = "h," + std::string(pad, 'p') + tail;
    const auto expected = from_memory(text);
    const auto streamed = from_stream(text);
    ASSERT_EQ(texts(streamed), texts(expected)) << pad;
    for (std::size_t r = 0; r < expected.size(); ++r) {
      EXPECT_EQ(streamed[r].end, expected[r].end) << pad;
      for (std::size_t f = 0; f < expected[r].size(); ++f) {
        EXPECT_EQ(streamed[r].fields[f].line, expected[r].fields[f].line) << pad;
        EXPECT_EQ(streamed[r].fields[f].column, expected[r].fields[f].column) << pad;
      }
    }
  }
}

TEST(CsvReader, ReadsARecordLongerThanAChunkFromAStream) {
  const std::string big(200000, 'z');
  EXPECT_EQ(texts(from_stream("a\n\"" + big + "\"," + big + "\n")), (Rows{{"a"}, {big, big}}));
}

TEST(CsvReader, EmptyInputHasNoRecords) {
  EXPECT_TRUE(from_memory("").empty());
  EXPECT_TRUE(from_stream("").empty());
}

}  // namespace
}  // namespace nn
