#include "nn/encoding.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace nn {

Eigen::Index ColumnEncoding::width() const {
  return kind == ColumnKind::number ? 1 : static_cast<Eigen::Index>(categories.size());
}

double category_index(const ColumnEncoding& column, std::string_view text) {
  const auto it = std::lower_bound(column.categories.begin(), column.categories.end(), text);
  if (it == column.categories.end() || *it != text) return kUnseenCategory;
  return static_cast<double>(it - column.categories.begin());
}

std::vector<std::string> encoded_names(const std::vector<ColumnEncoding>& columns) {
  std::vector<std::string> names;
  for (const ColumnEncoding& column : columns) {
    if (column.kind == ColumnKind::number) names.push_back(column.name);
    for (const std::string& category : column.categories)
      names.push_back(column.name + "=" + category);
  }
  return names;
}

Eigen::Index encoded_width(const std::vector<ColumnEncoding>& columns) {
  Eigen::Index width = 0;
  for (const ColumnEncoding& column : columns) width += column.width();
  return width;
}

Eigen::MatrixXd encode_columns(const std::vector<ColumnEncoding>& columns,
                               const Eigen::MatrixXd& cells) {
  assert(cells.rows() == static_cast<Eigen::Index>(columns.size()));
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(encoded_width(columns), cells.cols());
  // An empty split (no validation rows) has no storage: a row of it would offset a null pointer.
  if (cells.cols() == 0) return x;
  Eigen::Index at = 0;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const ColumnEncoding& column = columns[c];
    const auto row = cells.row(static_cast<Eigen::Index>(c));
    for (Eigen::Index j = 0; j < cells.cols(); ++j) {
      const double cell = row(j);
      assert(!std::isnan(cell) || column.fill_missing);
      if (column.kind == ColumnKind::number)
        x(at, j) = std::isnan(cell) ? column.fill : cell;
      else if (!std::isnan(cell) && cell != kUnseenCategory)
        x(at + static_cast<Eigen::Index>(cell), j) = 1.0;  // else all zeros
    }
    at += column.width();
  }
  return x;
}

}  // namespace nn
