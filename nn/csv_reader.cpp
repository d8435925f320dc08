#include "nn/csv_reader.h"

#include <algorithm>

#include "nn/input_error.h"

namespace nn {
namespace {

// Bytes read from a stream at a time (more when one record is longer).
constexpr std::size_t kChunkBytes = std::size_t{1} << 16;

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// The bytes that end an unquoted field or are an error in one.
struct Specials {
  bool table[256] = {};
  constexpr Specials() {
    for (unsigned char c : {',', '\n', '\r', '"'}) table[c] = true;
  }
};
constexpr Specials kSpecials;

}  // namespace

CsvReader::CsvReader(std::string_view text, std::string file, CsvLimits limits)
    : data_(text), at_eof_(true), file_(std::move(file)), limits_(limits) {}

CsvReader::CsvReader(std::istream& in, std::string file, CsvLimits limits)
    : source_([buffer = in.rdbuf()](char* out, std::size_t n) {
        const std::streamsize got = buffer->sgetn(out, static_cast<std::streamsize>(n));
        return got > 0 ? static_cast<std::size_t>(got) : 0;
      }),
      file_(std::move(file)),
      limits_(limits) {}

CsvReader::CsvReader(InputFile& input, std::string file, CsvLimits limits)
    : source_([&input](char* out, std::size_t n) { return input.read(out, n); }),
      file_(std::move(file)),
      limits_(limits) {}

bool CsvReader::next(CsvRecord& record) {
  for (;;) {
    if (!started_ && (at_eof_ || data_.size() - pos_ >= kByteOrderMark.size())) {
      skip_byte_order_mark();
      started_ = true;
    }
    const Mark mark{pos_, line_, line_start_};
    const Scan result = started_ ? scan(record) : Scan::more;
    if (result != Scan::more) return result == Scan::record;
    // The buffer ended inside the record: scan it again from its start with more bytes.
    pos_ = mark.pos, line_ = mark.line, line_start_ = mark.line_start;
    refill();
  }
}

void CsvReader::skip_byte_order_mark() {
  if (data_.substr(pos_, kByteOrderMark.size()) != kByteOrderMark) return;
  pos_ += kByteOrderMark.size();
  line_start_ = base_ + pos_;  // columns count from after it
}

bool CsvReader::refill() {
  if (!source_ || at_eof_) {
    at_eof_ = true;
    return false;
  }
  buffer_.erase(0, pos_);
  base_ += pos_;
  pos_ = 0;
  const std::size_t kept = buffer_.size();
  const std::size_t want = std::max(kChunkBytes, kept);
  buffer_.resize(kept + want);
  std::size_t got = 0;
  while (got < want) {
    const std::size_t n = source_(buffer_.data() + kept + got, want - got);
    if (n == 0) break;
    got += n;
  }
  buffer_.resize(kept + got);
  data_ = buffer_;
  at_eof_ = got < want;
  return got > 0;
}

void CsvReader::fail(std::size_t pos, const std::string& message) const {
  throw InputError(file_, line_, column_at(pos), message);
}

CsvReader::Scan CsvReader::line_break(std::size_t at) {
  std::size_t after = at + 1;
  if (data_[at] == '\r') {
    if (after == data_.size() && !at_eof_) return Scan::more;  // CRLF or a lone CR?
    if (after < data_.size() && data_[after] == '\n') ++after;
  }
  pos_ = after;
  ++line_;
  line_start_ = base_ + pos_;
  return Scan::record;
}

CsvReader::Scan CsvReader::skip_blank_lines() {
  for (;;) {
    if (pos_ == data_.size()) return at_eof_ ? Scan::end : Scan::more;
    if (data_[pos_] != '\n' && data_[pos_] != '\r') return Scan::record;
    if (line_break(pos_) == Scan::more) return Scan::more;
    complete_bytes_ = base_ + pos_;
  }
}

CsvReader::Scan CsvReader::scan(CsvRecord& record) {
  if (const Scan blank = skip_blank_lines(); blank != Scan::record) return blank;
  record.begin = base_ + pos_;
  std::size_t count = 0;
  for (;;) {
    if (count == record.fields.size()) record.fields.emplace_back();
    CsvField& field = record.fields[count++];
    field.line = line_;
    field.column = column_at(pos_);
    bool ended = false;
    const Scan result = pos_ < data_.size() && data_[pos_] == '"' ? quoted_field(field, ended)
                                                                  : unquoted_field(field, ended);
    if (result == Scan::more) return result;
    if (ended) {
      record.fields.resize(count);
      record.torn = result == Scan::end;
      record.unclosed = record.torn && field_unclosed_;
      record.end = base_ + pos_;
      if (!record.torn) complete_bytes_ = record.end;
      return Scan::record;
    }
  }
}

// Scans past the separator or line break after a field that ends at `at`. `ended`: the record
// ended there; the result is Scan::end when the input did (a torn record).
CsvReader::Scan CsvReader::after_field(std::size_t at, bool& ended) {
  if (at == data_.size()) {
    if (!at_eof_) return Scan::more;
    pos_ = at;
    ended = true;
    return Scan::end;
  }
  if (data_[at] == ',') {
    pos_ = at + 1;
    return Scan::record;
  }
  ended = true;
  return line_break(at);
}

CsvReader::Scan CsvReader::unquoted_field(CsvField& field, bool& ended) {
  field_unclosed_ = false;
  std::size_t end = pos_;
  while (end < data_.size() && !kSpecials.table[static_cast<unsigned char>(data_[end])]) ++end;
  if (end - pos_ > limits_.max_field_bytes)
    throw InputError(file_, field.line, field.column,
                     "a cell of " + std::to_string(limits_.max_field_bytes + 1) +
                         " bytes, more than the " + std::to_string(limits_.max_field_bytes) +
                         " nnsweep reads");
  if (end < data_.size() && data_[end] == '"') fail(end, "quote inside an unquoted field");
  if (end == data_.size() && !at_eof_) return Scan::more;
  field.text.assign(data_.data() + pos_, end - pos_);
  return after_field(end, ended);
}

CsvReader::Scan CsvReader::quoted_field(CsvField& field, bool& ended) {
  field.text.clear();
  std::size_t from = pos_ + 1;  // past the opening quote
  for (;;) {
    const std::size_t quote = std::min(data_.find('"', from), data_.size());
    for (std::size_t i = from; i < quote; ++i)
      if (data_[i] == '\n') ++line_, line_start_ = base_ + i + 1;
    field.text.append(data_.data() + from, quote - from);
    if (quote == data_.size()) {
      if (!at_eof_) return Scan::more;
      pos_ = quote;
      field_unclosed_ = ended = true;
      return Scan::end;
    }
    if (quote + 1 == data_.size() && !at_eof_) return Scan::more;  // "" or the closing quote?
    if (quote + 1 < data_.size() && data_[quote + 1] == '"') {
      field.text += '"';
      from = quote + 2;
      continue;
    }
    from = quote + 1;
    break;
  }
  if (field.text.size() > limits_.max_field_bytes)
    throw InputError(file_, field.line, field.column,
                     "a cell of " + std::to_string(field.text.size()) + " bytes, more than the " +
                         std::to_string(limits_.max_field_bytes) + " nnsweep reads");
  field_unclosed_ = false;
  if (from < data_.size() && data_[from] != ',' && data_[from] != '\n' && data_[from] != '\r')
    fail(from, "unexpected text after a closing quote");
  return after_field(from, ended);
}

}  // namespace nn
