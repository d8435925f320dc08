#include "nn/csv_data.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "nn/input_error.h"

namespace nn {
namespace {

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path, 0, 0, "is a directory, not a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, 0, "cannot open the CSV file (missing or unreadable)");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path, 0, 0, "cannot read the CSV file");
  return std::move(text).str();
}

std::optional<double> parse_number(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

CsvTable read_csv_table(const std::string& path) {
  const std::string text = read_file(path);
  if (text.find('\0') != std::string::npos)
    throw InputError(path, 0, 0, "is not a text file (it contains NUL bytes)");
  CsvTable table{path, {}, {}};
  std::vector<CsvTable::Field> row;
  CsvTable::Field field;
  int line = 1, column = 1;
  bool in_quotes = false, field_started = false;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field = {};
    field_started = false;
  };
  auto end_row = [&] {
    const bool blank = row.size() == 1 && row[0].text.empty();
    if (!blank) {
      if (table.header.empty() && table.rows.empty()) {
        for (auto& f : row) table.header.push_back(std::move(f.text));
      } else {
        if (row.size() != table.header.size())
          throw InputError(path, row.front().line, 1,
                           "row has " + std::to_string(row.size()) + " fields, the header has " +
                               std::to_string(table.header.size()));
        table.rows.push_back(std::move(row));
      }
    }
    row.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!field_started) {
      field.line = line, field.column = column;
      field_started = true;
    }
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.text += '"';
        ++i, ++column;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field.text += c;
        if (c == '\n') ++line, column = 0;
      }
    } else if (c == '"' && field.text.empty()) {
      in_quotes = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      end_field();
      end_row();
      ++line, column = 0;
    } else {
      field.text += c;
    }
    ++column;
  }
  if (in_quotes) throw InputError(path, field.line, field.column, "quoted field is never closed");
  if (field_started || !row.empty()) {
    end_field();
    end_row();
  }
  if (table.header.empty()) throw InputError(path, 0, 0, "the CSV file is empty (no header row)");
  if (table.rows.empty()) throw InputError(path, 2, 1, "the CSV file has a header but no rows");
  return table;
}

Dataset load_csv_dataset(const DataConfig& config, std::uint64_t seed) {
  const CsvTable table = read_csv_table(config.path);
  const auto column_of = [&](const std::string& name) -> std::size_t {
    const auto it = std::find(table.header.begin(), table.header.end(), name);
    if (it == table.header.end())
      throw InputError(config.path, 1, 1, "no column named '" + name + "' in the header");
    return static_cast<std::size_t>(it - table.header.begin());
  };
  const std::size_t target = column_of(config.target);
  std::vector<std::size_t> features;
  for (const auto& name : config.columns) features.push_back(column_of(name));
  if (config.columns.empty())
    for (std::size_t c = 0; c < table.header.size(); ++c)
      if (c != target) features.push_back(c);
  if (features.empty()) throw InputError(config.path, 1, 1, "no feature columns");

  const auto n = static_cast<Eigen::Index>(table.rows.size());
  Eigen::MatrixXd x(static_cast<Eigen::Index>(features.size()), n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const auto& row = table.rows[static_cast<std::size_t>(j)];
    for (std::size_t f = 0; f < features.size(); ++f) {
      const CsvTable::Field& field = row[features[f]];
      const auto value = parse_number(field.text);
      if (!value || !std::isfinite(*value))
        throw InputError(config.path, field.line, field.column,
                         "column '" + table.header[features[f]] + "': " +
                             (field.text.empty() ? std::string("missing value")
                                                 : "'" + field.text + "' is not a finite number"));
      x(static_cast<Eigen::Index>(f), j) = *value;
    }
  }

  // The target: all numbers and some not whole -> regression; otherwise classes.
  bool numeric = true, whole = true;
  for (const auto& row : table.rows) {
    const CsvTable::Field& field = row[target];
    if (field.text.empty())
      throw InputError(config.path, field.line, field.column,
                       "column '" + config.target + "': missing target value");
    const auto value = parse_number(field.text);
    if (!value)
      numeric = false;
    else if (!std::isfinite(*value))
      throw InputError(config.path, field.line, field.column,
                       "column '" + config.target + "': target '" + field.text + "' is not finite");
    else if (*value != std::floor(*value))
      whole = false;
  }
  Dataset d;
  Eigen::MatrixXd y;
  if (numeric && !whole) {
    d.task = Task::regression;
    y.resize(1, n);
    for (Eigen::Index j = 0; j < n; ++j)
      y(0, j) = *parse_number(table.rows[static_cast<std::size_t>(j)][target].text);
  } else {
    // Class labels in a fixed order whatever the row order: by value for integers, else by text.
    auto less = [numeric](const std::string& a, const std::string& b) {
      return numeric ? *parse_number(a) < *parse_number(b) : a < b;
    };
    std::map<std::string, int, decltype(less)> classes(less);
    for (const auto& row : table.rows) classes.emplace(row[target].text, 0);
    if (classes.size() < 2)
      throw InputError(config.path, 1, static_cast<int>(target) + 1,
                       "target column '" + config.target + "' has a single class ('" +
                           classes.begin()->first + "'): nothing to learn");
    int label = 0;
    for (auto& [name, index] : classes) {
      index = label++;
      d.class_names.push_back(name);
    }
    const bool binary = classes.size() == 2;
    d.task = binary ? Task::binary : Task::multiclass;
    y.setZero(binary ? 1 : static_cast<Eigen::Index>(classes.size()), n);
    for (Eigen::Index j = 0; j < n; ++j) {
      const int k = classes.at(table.rows[static_cast<std::size_t>(j)][target].text);
      if (binary)
        y(0, j) = k;
      else
        y(k, j) = 1.0;
    }
  }

  Rng rng(seed);
  Dataset split = split_dataset(x, y, config, rng);
  split.task = d.task;
  split.class_names = std::move(d.class_names);
  for (std::size_t c : features) split.feature_names.push_back(table.header[c]);
  // Standardise with the training split's statistics only: the test data must not leak in.
  if (split.train.size() > 0) {
    const Eigen::VectorXd mean = split.train.x.rowwise().mean();
    Eigen::VectorXd scale =
        ((split.train.x.colwise() - mean).array().square().rowwise().mean()).sqrt().matrix();
    for (Eigen::Index f = 0; f < scale.size(); ++f)
      if (!(scale(f) > 0.0)) scale(f) = 1.0;  // a constant column stays centred, not scaled
    for (Split* s : {&split.train, &split.validation, &split.test})
      s->x = (s->x.colwise() - mean).array().colwise() / scale.array();
    split.feature_mean = mean;
    split.feature_scale = scale;
  }
  return split;
}

}  // namespace nn
