// The user's own data from a CSV file: a header row, numeric feature columns and a named target
// column. String or integer targets become classes (sorted: numerically for integers,
// lexicographically for strings); real targets mean regression. Features are standardised
// with the mean and standard deviation of the training split only. Every problem throws
// InputError naming the file, line and column.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/dataset.h"

namespace nn {

// A parsed CSV table: the header's names and the rows' fields as text, with where each
// field starts (1-based line and column), for messages.
struct CsvTable {
  struct Field {
    std::string text;
    int line = 0, column = 0;
  };
  std::string file;
  std::vector<std::string> header;
  std::vector<std::vector<Field>> rows;
};

// Reads an RFC 4180 file (quoted fields, "" for a quote, CRLF or LF). Blank lines are skipped;
// a row with a different number of fields from the header is an error.
CsvTable read_csv_table(const std::string& path);

// Builds the dataset config.path/config.target/config.columns describe, split with `seed`.
Dataset load_csv_dataset(const DataConfig& config, std::uint64_t seed);

}  // namespace nn
