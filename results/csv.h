// CSV as RFC 4180 describes it, for every file nnsweep writes or reads back: fields quoted only
// when they hold a comma, quote, CR or LF (quotes doubled); numbers in the shortest text that
// parses back to the same double, independent of the locale; NaN (not applicable) as an empty
// cell and infinities as `inf` / `-inf`, as pandas reads them. Files are read back with
// nn::CsvReader, which streams and marks a last record with no line break as torn so a resume
// can drop it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nn/csv_reader.h"

namespace results {

// Appends `field`, quoted when it must be.
void append_field(std::string& out, std::string_view field);
// Appends `value` in its shortest round-trip form; nothing for NaN, `inf` / `-inf` for infinities.
void append_number(std::string& out, double value);
// The same text written at `out`, which has room for kMaxNumberText characters; returns its end.
inline constexpr std::size_t kMaxNumberText = 24;
char* write_number(char* out, double value);
void append_integer(std::string& out, std::int64_t value);
void append_unsigned(std::string& out, std::uint64_t value);
// One record: fields joined by commas, ending in LF.
std::string format_row(std::span<const std::string> fields);

std::string format_number(double value);

// The number in a cell written by append_number: empty is NaN, other text is read by
// nn::parse_number (so `inf` / `-inf` are infinities). Nothing when the cell is not a number.
std::optional<double> parse_cell(std::string_view cell);

// nnsweep reads its own files with the one CSV tokenizer (nn/csv_reader.h).
using nn::CsvField;
using nn::CsvReader;
using nn::CsvRecord;

// The typed value of a field; throws nn::InputError at the field's position when it is not one.
double number_field(const CsvField& field, const std::string& file);
std::int64_t integer_field(const CsvField& field, const std::string& file);
std::uint64_t unsigned_field(const CsvField& field, const std::string& file);

}  // namespace results
