// The user's own data from a CSV file: a header row, feature columns and a named target column.
// String or integer targets become classes (sorted: numerically for integers, lexicographically
// for strings); real targets mean regression. Feature columns are numbers, or text encoded one
// input per category (data.categorical onehot); empty cells are refused, dropped with their row
// or filled (data.missing); see nn/encoding.h. Categories, fill values and the standardisation
// come from the training split only. Every problem throws InputError naming the file, line and
// column.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nn/csv_reader.h"
#include "nn/dataset.h"

namespace nn {

// A CSV file read whole: the header's names and the rows, each field with its position.
struct CsvTable {
  std::string file;
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;
};

// Reads a data file (nn/csv_reader.h) and checks it: UTF-8 text without NUL bytes, a header of
// at most kMaxCsvColumns unique names, cells of at most kMaxCsvCellBytes, at least one row and
// every row as wide as the header. A line holding only "" counts as blank. read_csv_rows calls
// `row` for each row instead of keeping them, and returns the header.
CsvTable read_csv_table(const std::string& path);
std::vector<std::string> read_csv_rows(const std::string& path,
                                       const std::function<void(const CsvRecord&)>& row);
// The same, with the header in `header` before the first call of `row`.
void read_csv_rows(const std::string& path, std::vector<std::string>& header,
                   const std::function<void(const CsvRecord&)>& row);
// Refuses a header of more than kMaxCsvColumns or with a name twice, at its position.
void check_csv_header(const std::string& path, const CsvRecord& header);

// Builds the dataset config.path/config.target/config.columns describe, split with `seed`.
Dataset load_csv_dataset(const DataConfig& config, std::uint64_t seed,
                         ParseUse use = ParseUse::share);
// The same dataset's task, classes, targets and split sizes, and every refusal it makes, but
// without copying the inputs when no column needs its training cells to be encoded (each
// split's x then has no rows, and no encoding is learnt): what a sweep's checks need.
Dataset load_csv_splits(const DataConfig& config, std::uint64_t seed);

}  // namespace nn
