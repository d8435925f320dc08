// CSV as RFC 4180 describes it, for every file nnsweep writes or reads back: fields quoted only
// when they hold a comma, quote, CR or LF (quotes doubled); numbers in the shortest text that
// parses back to the same double, independent of the locale; NaN (not applicable) as an empty
// cell and infinities as `inf` / `-inf`, as pandas reads them. The reader streams, accepts LF or
// CRLF, and marks a last record with no line break as torn so a resume can drop it.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace results {

// Appends `field`, quoted when it must be.
void append_field(std::string& out, std::string_view field);
// Appends `value` in its shortest round-trip form; nothing for NaN, `inf` / `-inf` for infinities.
void append_number(std::string& out, double value);
void append_integer(std::string& out, std::int64_t value);
void append_unsigned(std::string& out, std::uint64_t value);
// One record: fields joined by commas, ending in LF.
std::string format_row(std::span<const std::string> fields);

std::string format_number(double value);

// The value of a cell written by append_number: empty is NaN, `inf` / `-inf` are infinities.
// Nothing when the cell is not a number.
std::optional<double> parse_number(std::string_view cell);
std::optional<std::int64_t> parse_integer(std::string_view cell);
std::optional<std::uint64_t> parse_unsigned(std::string_view cell);

// One field and where it starts in the file (1-based line and column).
struct CsvField {
  std::string text;
  int line = 0;
  int column = 0;
};

struct CsvRecord {
  std::vector<CsvField> fields;
  bool torn = false;        // the input ended before this record's line break
  std::uint64_t begin = 0;  // byte offset of the record's first character
  std::uint64_t end = 0;    // byte offset just past its line break (or the end of input)

  std::size_t size() const { return fields.size(); }
  const std::string& operator[](std::size_t i) const { return fields[i].text; }
};

// The typed value of a field; throws nn::InputError at the field's position when it is not one.
double number_field(const CsvField& field, const std::string& file);
std::int64_t integer_field(const CsvField& field, const std::string& file);
std::uint64_t unsigned_field(const CsvField& field, const std::string& file);

// Reads records one at a time from a stream, so files larger than memory can be read.
// Blank lines are skipped. Not thread-safe.
class CsvReader {
 public:
  // `file` names the input in errors.
  CsvReader(std::istream& in, std::string file);

  // Reads the next record into `record` (reusing its storage); false at the end of the input.
  // A torn record (no line break before the end, even inside quotes) is returned with
  // `torn` set. Throws nn::InputError for a quote inside an unquoted field or text after a
  // closing quote.
  bool next(CsvRecord& record);

  // Bytes up to the end of the last record that ended in a line break: the part of a file
  // that a resume keeps.
  std::uint64_t complete_bytes() const { return complete_bytes_; }
  const std::string& file() const { return file_; }

 private:
  int get();
  int peek();

  std::streambuf* in_;
  std::string file_;
  std::uint64_t offset_ = 0;
  std::uint64_t complete_bytes_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace results
