// How a CSV feature column becomes the network's inputs: a number column is one input (a missing
// cell filled with the training split's mean when data.missing is mean), a onehot column one 0/1
// input per category of the training split, sorted by text (so the order does not depend on the
// order of the rows). A category the training split never held, and a missing cell of a onehot
// column, encode as all zeros. Training (nn/csv_data.cpp) and predict share this code, so new
// rows are encoded exactly as the training rows were.
#pragma once

#include <Eigen/Core>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace nn {

enum class ColumnKind { number, onehot };

struct ColumnEncoding {
  std::string name;  // the CSV column
  ColumnKind kind = ColumnKind::number;
  // Whether a missing (empty) cell is accepted: a number column then takes `fill`, a onehot
  // column all zeros. False: a missing cell is an error (data.missing error or drop_rows).
  bool fill_missing = false;
  double fill = 0;                      // number columns: the training split's mean
  std::vector<std::string> categories;  // onehot columns: sorted, unique

  // The inputs this column becomes: 1, or one per category.
  Eigen::Index width() const;
  bool operator==(const ColumnEncoding&) const = default;
};

// A cell's value before encoding: the number (number columns) or the category's index in
// `categories` (onehot columns), kMissingCell for an empty cell and kUnseenCategory for a text
// the training split did not hold.
inline const double kMissingCell = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kUnseenCategory = -1;

// The index of `text` in a onehot column's categories, or kUnseenCategory.
double category_index(const ColumnEncoding& column, std::string_view text);

// The inputs' names: a number column's name, `name=category` for each category of a onehot one.
std::vector<std::string> encoded_names(const std::vector<ColumnEncoding>& columns);
Eigen::Index encoded_width(const std::vector<ColumnEncoding>& columns);

// The network's raw inputs (encoded_width x n) from cells (columns.size() x n) as above.
// REQUIRES a missing cell only in a column with fill_missing, and category indices in range.
Eigen::MatrixXd encode_columns(const std::vector<ColumnEncoding>& columns,
                               const Eigen::MatrixXd& cells);

}  // namespace nn
