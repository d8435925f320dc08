// The one CSV tokenizer (RFC 4180), for the user's data and for nnsweep's own result files.
// Fields are separated by commas; a field that starts with a quote runs to the matching quote,
// with "" for a quote inside it, and may hold commas and line breaks. A line ends in LF, CRLF or
// a lone CR; lines with nothing on them are skipped; a byte order mark at the start is skipped.
// A quote inside an unquoted field and text after a closing quote are errors (nn::InputError at
// their position). Lines and columns are 1-based, columns counted in bytes.
// Input comes from memory or from a stream read a chunk at a time (files larger than memory).
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "nn/input_file.h"

namespace nn {

// One field and where it starts in the file (1-based line and column).
struct CsvField {
  std::string text;
  int line = 0;
  int column = 0;
};

struct CsvRecord {
  std::vector<CsvField> fields;
  bool torn = false;        // the input ended before this record's line break
  bool unclosed = false;    // ... and inside its last field's quotes
  std::uint64_t begin = 0;  // byte offset of the record's first character
  std::uint64_t end = 0;    // byte offset just past its line break (or the end of input)

  std::size_t size() const { return fields.size(); }
  const std::string& operator[](std::size_t i) const { return fields[i].text; }
};

struct CsvLimits {
  // A longer field throws nn::InputError at its start ("a cell of N bytes, more than ...").
  std::size_t max_field_bytes = std::numeric_limits<std::size_t>::max();
};

class CsvReader {
 public:
  // Reads `text`, which must outlive the reader. `file` names the input in errors.
  CsvReader(std::string_view text, std::string file, CsvLimits limits = {});
  // Reads `in` from its current position a chunk at a time (its stream state is left alone).
  CsvReader(std::istream& in, std::string file, CsvLimits limits = {});
  // Reads `input` a chunk at a time; it must outlive the reader.
  CsvReader(InputFile& input, std::string file, CsvLimits limits = {});

  // Reads the next record into `record` (reusing its storage); false at the end of the input.
  // A record the input ends in before its line break (even inside quotes) is returned with
  // `torn` set.
  bool next(CsvRecord& record);

  // Bytes up to the end of the last record that ended in a line break: the part of a file
  // that a resume keeps.
  std::uint64_t complete_bytes() const { return complete_bytes_; }
  const std::string& file() const { return file_; }

 private:
  enum class Scan { record, end, more };  // `more`: the buffer ended; read on and scan again
  struct Mark {
    std::size_t pos;
    int line;
    std::uint64_t line_start;
  };

  Scan scan(CsvRecord& record);
  Scan skip_blank_lines();
  Scan quoted_field(CsvField& field, bool& ended);
  Scan unquoted_field(CsvField& field, bool& ended);
  Scan after_field(std::size_t at, bool& ended);
  Scan line_break(std::size_t at);
  bool refill();
  void skip_byte_order_mark();
  int column_at(std::size_t pos) const { return static_cast<int>(base_ + pos - line_start_) + 1; }
  [[noreturn]] void fail(std::size_t pos, const std::string& message) const;

  // Reads up to n bytes to the pointer, 0 at the end; empty when reading from memory.
  std::function<std::size_t(char*, std::size_t)> source_;
  std::string buffer_;      // what was read from `source_` and not yet consumed
  std::string_view data_;   // the bytes being scanned: buffer_ or the caller's text
  bool at_eof_ = false;     // data_ ends where the input ends
  std::size_t pos_ = 0;     // next byte of data_ to scan
  std::uint64_t base_ = 0;  // offset in the input of data_[0]
  int line_ = 1;
  std::uint64_t line_start_ = 0;  // offset in the input where line_ starts
  bool started_ = false;          // the byte order mark was looked for
  bool field_unclosed_ = false;   // the last field scanned ended inside its quotes
  std::uint64_t complete_bytes_ = 0;
  std::string file_;
  CsvLimits limits_;
};

}  // namespace nn
