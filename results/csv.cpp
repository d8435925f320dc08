#include "results/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "nn/input_error.h"
#include "nn/number.h"

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

char* write_number(char* out, double value) {
  if (std::isnan(value)) return out;
  if (std::isinf(value)) {
    const std::string_view text = value > 0 ? "inf" : "-inf";
    return std::copy(text.begin(), text.end(), out);
  }
  // std::to_chars without a precision gives the shortest text that parses back to `value`,
  // and never consults the locale (iostreams and printf do).
  return std::to_chars(out, out + kMaxNumberText, value).ptr;
}

void append_number(std::string& out, double value) {
  char buffer[kMaxNumberText];
  out.append(buffer, write_number(buffer, value));
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

std::optional<double> parse_cell(std::string_view cell) {
  if (cell.empty()) return std::numeric_limits<double>::quiet_NaN();
  return nn::parse_number(cell);
}

double number_field(const CsvField& field, const std::string& file) {
  if (auto value = parse_cell(field.text)) return *value;
  throw nn::InputError(file, field.line, field.column,
                       "expected a number, found " + nn::quote_input(field.text));
}

std::int64_t integer_field(const CsvField& field, const std::string& file) {
  if (auto value = nn::parse_integer(field.text)) return *value;
  throw nn::InputError(file, field.line, field.column,
                       "expected an integer, found " + nn::quote_input(field.text));
}

std::uint64_t unsigned_field(const CsvField& field, const std::string& file) {
  if (auto value = nn::parse_unsigned(field.text)) return *value;
  throw nn::InputError(file, field.line, field.column,
                       "expected a non-negative integer, found " + nn::quote_input(field.text));
}

}  // namespace results
