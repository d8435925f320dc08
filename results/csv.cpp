#include "results/csv.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "nn/input_error.h"

namespace results {

void append_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_number(std::string& out, double value) {
  if (std::isnan(value)) return;
  if (std::isinf(value)) {
    out += value > 0 ? "inf" : "-inf";
    return;
  }
  // std::to_chars without a precision gives the shortest text that parses back to `value`,
  // and never consults the locale (iostreams and printf do).
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void append_integer(std::string& out, std::int64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void append_unsigned(std::string& out, std::uint64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

std::string format_number(double value) {
  std::string out;
  append_number(out, value);
  return out;
}

std::string format_row(std::span<const std::string> fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    append_field(out, fields[i]);
  }
  out += '\n';
  return out;
}

namespace {

template <typename T>
std::optional<T> parse_whole(std::string_view cell) {
  T value{};
  auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (ec != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> parse_number(std::string_view cell) {
  if (cell.empty()) return std::numeric_limits<double>::quiet_NaN();
  return parse_whole<double>(cell);  // from_chars also reads inf, -inf and nan
}

std::optional<std::int64_t> parse_integer(std::string_view cell) {
  return parse_whole<std::int64_t>(cell);
}

std::optional<std::uint64_t> parse_unsigned(std::string_view cell) {
  return parse_whole<std::uint64_t>(cell);
}

double number_field(const CsvField& field, const std::string& file) {
  if (auto value = parse_number(field.text)) return *value;
  throw nn::InputError(file, field.line, field.column,
                       "expected a number, found " + nn::quote_input(field.text));
}

std::int64_t integer_field(const CsvField& field, const std::string& file) {
  if (auto value = parse_integer(field.text)) return *value;
  throw nn::InputError(file, field.line, field.column,
                       "expected an integer, found " + nn::quote_input(field.text));
}

std::uint64_t unsigned_field(const CsvField& field, const std::string& file) {
  if (auto value = parse_unsigned(field.text)) return *value;
  throw nn::InputError(file, field.line, field.column,
                       "expected a non-negative integer, found " + nn::quote_input(field.text));
}

CsvReader::CsvReader(std::istream& in, std::string file)
    : in_(in.rdbuf()), file_(std::move(file)) {}

int CsvReader::get() {
  int c = in_->sbumpc();
  if (c == std::char_traits<char>::eof()) return c;
  ++offset_;
  if (c == '\n') {
    ++line_;
    column_ = 1;
  } else {
    ++column_;
  }
  return c;
}

int CsvReader::peek() {
  return in_->sgetc();
}

bool CsvReader::next(CsvRecord& record) {
  constexpr int kEof = std::char_traits<char>::eof();
  // Skip blank lines; a record starts at the first other character.
  for (;;) {
    int c = peek();
    if (c == kEof) return false;
    if (c == '\n') {
      get();
    } else if (c == '\r') {
      get();
      if (peek() != '\n') break;  // a lone CR is data (RFC 4180 wants it quoted; be lenient)
      get();
    } else {
      break;
    }
    complete_bytes_ = offset_;
  }

  record.torn = false;
  record.begin = offset_;
  std::size_t count = 0;
  auto new_field = [&]() -> CsvField& {
    if (count == record.fields.size()) record.fields.emplace_back();
    CsvField& field = record.fields[count++];
    field.text.clear();
    field.line = line_;
    field.column = column_;
    return field;
  };
  auto finish = [&](bool torn) {
    record.fields.resize(count);
    record.torn = torn;
    record.end = offset_;
    if (!torn) complete_bytes_ = offset_;
    return true;
  };
  // Consumes a line break if one is next; true when it did.
  auto line_break = [&]() {
    int c = peek();
    if (c == '\n') {
      get();
      return true;
    }
    if (c == '\r') {
      get();
      if (peek() == '\n') {
        get();
        return true;
      }
      return false;  // the lone CR was consumed; the caller keeps it as data
    }
    return false;
  };

  for (;;) {
    CsvField& field = new_field();
    if (peek() == '"') {
      get();
      for (;;) {
        int c = get();
        if (c == kEof) return finish(true);
        if (c == '"') {
          if (peek() != '"') break;
          get();
        }
        field.text += static_cast<char>(c);
      }
      int c = peek();
      if (c == ',') {
        get();
        continue;
      }
      if (c == kEof) return finish(true);
      if (c == '\n' || c == '\r') {
        if (line_break()) return finish(false);
      }
      throw nn::InputError(file_, line_, column_, "unexpected text after a closing quote");
    }
    for (;;) {
      int c = peek();
      if (c == kEof) return finish(true);
      if (c == ',') {
        get();
        break;
      }
      if (c == '\n' || c == '\r') {
        if (line_break()) return finish(false);
        field.text += '\r';
        continue;
      }
      if (c == '"') throw nn::InputError(file_, line_, column_, "quote inside an unquoted field");
      field.text += static_cast<char>(get());
    }
  }
}

}  // namespace results
