// The cells of a CSV data file as numbers: what nn/csv_data.cpp builds datasets from. A file is
// read once per selection (its path, target, feature columns, data.categorical and
// data.missing) and the values are kept for the process, so a sweep's validation, its plan and
// its run (every data seed, fold and split) share one parse. A plain file (unquoted cells, LF or
// CRLF line ends) is parsed straight from a chunk of the file into the number arrays; any other
// file, and any file with an error, is read by the general tokenizer (nn/csv_reader.h), which
// reports every error at its FILE:LINE:COL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <Eigen/Dense>

#include "nn/config.h"
#include "nn/csv_reader.h"

namespace nn {

// The largest regression target in magnitude: the squared error of a larger one overflows.
inline constexpr double kMaxRegressionTarget = 1e150;

// One cell as a reader hands it over: its text is valid only during the call.
struct CsvCell {
  std::string_view text;
  int line = 0;
  int column = 0;
};

// Which columns of the header are the target and the features.
struct CsvColumns {
  std::size_t target = 0;
  std::vector<std::size_t> features;
};

// One feature column: under data.categorical onehot its texts, each kept as a code (its index
// in `texts`, in the order of first appearance); the counts and first cells of either kind (a
// column is numbers or text, never both); the extremes of its numbers and the rows (counted
// over every row of the file) where they first occur.
struct TextColumn {
  std::vector<std::string> texts;
  std::unordered_map<std::string, double> codes;
  std::size_t numbers = 0, text_cells = 0;
  std::optional<CsvField> first_text, first_number;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::size_t min_row = 0, max_row = 0;
};

// The target cells of the rows kept: each one's number (NaN for a text) and a code for its
// text; distinct texts past kMaxClasses + 1 are not kept (`overflow`): that many make no
// classes. The first cell of each kind a dataset may refuse.
struct TargetCells {
  std::vector<double> value;
  std::vector<std::uint32_t> code;
  std::vector<std::string> texts;  // in the order of first appearance
  std::map<std::string, std::uint32_t, std::less<>> codes;
  bool overflow = false;
  bool numeric = true;                 // every cell a number
  bool whole = true;                   // ... and each a whole number of at most 2^53
  std::optional<CsvField> first_bad;   // empty or not finite
  std::optional<CsvField> first_text;  // not a number
  std::optional<CsvField> first_huge;  // beyond 1e150 in magnitude
};

// The features of the rows kept, one column per row, in memory that grows without copying.
class CellMatrix {
 public:
  CellMatrix() = default;
  CellMatrix(const CellMatrix&) = delete;
  CellMatrix& operator=(const CellMatrix&) = delete;
  ~CellMatrix();

  void reset(Eigen::Index features, Eigen::Index capacity);
  double* append();  // room for one more row's features
  void drop_last() { --cols_; }
  void shrink();  // gives back the room not used
  Eigen::Map<const Eigen::MatrixXd> matrix() const { return {data_, rows_, cols_}; }
  Eigen::Map<Eigen::MatrixXd> matrix() { return {data_, rows_, cols_}; }
  Eigen::Index cols() const { return cols_; }

 private:
  void reserve(Eigen::Index capacity);
  double* data_ = nullptr;
  Eigen::Index rows_ = 0, cols_ = 0, capacity_ = 0;
};

struct CsvValues {
  std::vector<std::string> header;
  CsvColumns columns;
  CellMatrix x;                  // (features, rows kept); a cell is its number, code or NaN
  std::vector<TextColumn> text;  // one per feature
  TargetCells target;
  std::size_t rows = 0;     // rows in the file
  std::size_t dropped = 0;  // rows left out under data.missing: drop_rows
  // The first problem of a cell (not of the file's text or shape, which throw at once): kept
  // so that the rest of the file is still read, its rows counted and its shape checked, as a
  // sweep's checks need them before they speak of cells. csv_values throws it.
  std::exception_ptr error;
};

// The values of config.path under config's selection. While a CsvValuesKept exists, the last
// few selections read are kept and shared (a file's size or time changing makes it read again);
// otherwise every call reads the file. Throws InputError as the data's first problem in the
// file's order.
std::shared_ptr<const CsvValues> csv_values(const DataConfig& config);

// Keeps what csv_values reads while it lives: nnsweep's commands hold one for their whole run.
// Without one nothing is kept, so a program (a test) that rewrites a file faster than its
// time stamp moves still reads what it wrote.
class CsvValuesKept {
 public:
  CsvValuesKept();
  ~CsvValuesKept();
  CsvValuesKept(const CsvValuesKept&) = delete;
  CsvValuesKept& operator=(const CsvValuesKept&) = delete;
};

// What selects a parse: config's path, target, feature columns, data.categorical and
// data.missing (not the file's state). Equal for configs that share one parse.
std::string csv_selection(const DataConfig& config);
// csv_values for the last time: the parse is no longer kept, and the caller, its only holder,
// may use up its memory (nn::split_dataset_consuming). Nothing when something else holds it
// too (it stays kept). A later csv_values reads the file again.
std::shared_ptr<CsvValues> take_csv_values(const DataConfig& config);
// Whether a parse of config's selection is kept.
bool holds_csv_values(const DataConfig& config);

// The values read again with every distinct target text kept (for a target with more texts
// than TargetCells keeps); not shared.
std::shared_ptr<const CsvValues> csv_values_all_targets(const DataConfig& config);

// The rows of config.path (every row, kept or not) from the parse csv_values shares: throws a
// problem of the file's text or shape, not one of its cells.
std::size_t csv_rows(const DataConfig& config);

// The header and the number of rows of a CSV file, checked as read_csv_rows checks it.
std::vector<std::string> read_csv_shape(const std::string& path, std::size_t& rows);

// The header of a CSV file, checked as read_csv_rows checks it: only its first line is read
// when that line is plain and the rest of the file's first chunk is plain too; otherwise the
// whole file is checked (read_csv_shape), so its first problem is the one reported.
std::vector<std::string> read_csv_header(const std::string& path);

// Field `c` of data row `r` (0-based over every row) of a CSV file, read again for a message.
CsvField csv_field_at(const std::string& path, std::size_t r, std::size_t c);

}  // namespace nn
