#include "nn/csv_data.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "nn/input_error.h"
#include "nn/input_file.h"

namespace nn {
namespace {

std::optional<double> parse_number(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Position (1-based line and column, lines ending in LF, CRLF or CR) of byte `at` of `text`.
std::pair<int, int> position_of(std::string_view text, std::size_t at) {
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at; ++i)
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')))
      ++line, line_start = i + 1;
  return {line, static_cast<int>(at - line_start) + 1};
}

// Refuses bytes that are not text: NUL, and anything that is not UTF-8 (a Latin-1 export, say:
// its names would not survive into the model file, so predict could not find them).
void check_text(const std::string& path, std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    throw InputError(path, 0, 0, "is not a text file (it contains NUL bytes)");
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      const auto [line, column] = position_of(text, i);
      throw InputError(path, line, column,
                       "the CSV file is not UTF-8 text (byte " +
                           nn::quote_input(text.substr(i, 1)) + " here); save it as UTF-8");
    }
    i += n;
  }
}

// Duplicate names would make a column ambiguous: `noise,y,y` with target y would train on the
// other y. Names are compared exactly.
void check_header(const std::string& path, const std::vector<CsvTable::Field>& header) {
  if (header.size() > static_cast<std::size_t>(kMaxCsvColumns))
    throw InputError(path, 1, 1,
                     "the header has " + std::to_string(header.size()) +
                         " columns, more than the " + std::to_string(kMaxCsvColumns) +
                         " nnsweep reads");
  std::map<std::string_view, std::size_t> seen;
  for (std::size_t c = 0; c < header.size(); ++c) {
    const auto [it, fresh] = seen.emplace(header[c].text, c);
    if (!fresh) {
      const CsvTable::Field& first = header[it->second];
      throw InputError(path, header[c].line, header[c].column,
                       "column " + std::to_string(c + 1) + " is named " +
                           nn::quote_input(header[c].text) + " like column " +
                           std::to_string(it->second + 1) + " (at " + std::to_string(first.line) +
                           ":" + std::to_string(first.column) + "); column names must be unique");
    }
  }
}

}  // namespace

CsvTable read_csv_table(const std::string& path) {
  std::string_view text;
  const std::string bytes = read_input_file(path, "CSV file");
  text = bytes;
  check_text(path, text);
  // A byte order mark (spreadsheets write one) is not part of the first column's name.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  CsvTable table{path, {}, {}};
  std::vector<CsvTable::Field> row;
  CsvTable::Field field;
  int line = 1, column = 1;
  bool in_quotes = false, field_started = false, have_header = false;
  auto end_field = [&] {
    if (field.text.size() > static_cast<std::size_t>(kMaxCsvCellBytes))
      throw InputError(path, field.line, field.column,
                       "a cell of " + std::to_string(field.text.size()) + " bytes, more than the " +
                           std::to_string(kMaxCsvCellBytes) + " nnsweep reads");
    row.push_back(std::move(field));
    field = {};
    field_started = false;
  };
  auto end_row = [&] {
    const bool blank = row.size() == 1 && row[0].text.empty();
    if (!blank) {
      if (!have_header) {
        check_header(path, row);
        for (auto& f : row) table.header.push_back(std::move(f.text));
        have_header = true;
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
    } else if (c == '\n' || c == '\r') {
      // LF, CRLF, or a lone CR (old Mac files): each ends a line.
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      end_row();
      ++line, column = 0;
    } else {
      field.text += c;
      if (field.text.size() > static_cast<std::size_t>(kMaxCsvCellBytes)) end_field();
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

namespace {

constexpr double kMaxRegressionTarget = 1e150;

std::string fmt_share(double share) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, share).ptr;
  return std::string(buffer, end);
}

// Mean and scale (population standard deviation) of each row of x, computed on x / max|x| so
// that neither the sum nor the squares overflow, whatever finite values the row holds.
void standardization(const Eigen::MatrixXd& x, Eigen::VectorXd& mean, Eigen::VectorXd& scale) {
  mean.resize(x.rows());
  scale.resize(x.rows());
  for (Eigen::Index f = 0; f < x.rows(); ++f) {
    const double largest = x.row(f).cwiseAbs().maxCoeff();
    if (!(largest > 0)) {
      mean(f) = 0, scale(f) = 1;  // all zeros: nothing to centre or scale
      continue;
    }
    const Eigen::ArrayXd unit = x.row(f).transpose().array() / largest;
    const double m = unit.mean();
    const double sd = std::sqrt((unit - m).square().mean());
    mean(f) = m * largest;
    scale(f) = sd * largest;
    if (!(scale(f) > 0.0) || !std::isfinite(scale(f)))
      scale(f) = 1.0;  // a constant column stays centred, not scaled
  }
}

// The row of `table` (and its field in column `c`) holding the largest and smallest value of
// feature row `f` of x, for a message about a column whose range does not fit a double.
void check_range(const Eigen::MatrixXd& x, const CsvTable& table, std::size_t f, std::size_t c,
                 const std::string& path) {
  Eigen::Index hi = 0, lo = 0;
  const double max = x.row(static_cast<Eigen::Index>(f)).maxCoeff(&hi);
  const double min = x.row(static_cast<Eigen::Index>(f)).minCoeff(&lo);
  if (std::isfinite(max - min)) return;
  const CsvTable::Field& field = table.rows[static_cast<std::size_t>(hi)][c];
  throw InputError(path, field.line, field.column,
                   "column " + nn::quote_input(table.header[c]) + ": its values span from " +
                       nn::quote_input(table.rows[static_cast<std::size_t>(lo)][c].text) + " to " +
                       nn::quote_input(field.text) +
                       ", a range too wide to standardise in double precision; rescale the "
                       "column");
}

// More classes than a whole-number target plausibly means: likely a regression target
// (ages, prices in whole units), which thousands of output units would only pretend to fit.
void check_class_count(std::size_t classes, const DataConfig& config, std::size_t target) {
  const int limit = config.task == TaskChoice::classification ? kMaxClasses : kMaxAutoClasses;
  if (classes <= static_cast<std::size_t>(limit)) return;
  throw InputError(
      config.path, 1, static_cast<int>(target) + 1,
      "target column " + nn::quote_input(config.target) + " has " + std::to_string(classes) +
          " distinct values, more than the " + std::to_string(limit) + " classes " +
          (config.task == TaskChoice::classification
               ? std::string("nnsweep trains")
               : "data.task auto allows; set data.task: regression if it is a quantity, or "
                 "data.task: classification (at most " +
                     std::to_string(kMaxClasses) + " classes) if each value is a class"));
}

// A training split that holds one class teaches nothing (a 2-row file split in half, say).
void check_training_classes(const Dataset& split, const DataConfig& config, std::size_t target) {
  const Eigen::MatrixXd& y = split.train.y;
  bool several = false;
  for (Eigen::Index j = 1; j < y.cols() && !several; ++j) several = y.col(j) != y.col(0);
  if (several) return;
  throw InputError(config.path, 1, static_cast<int>(target) + 1,
                   "the training split of " + std::to_string(y.cols()) + " rows (train_fraction " +
                       fmt_share(config.train_fraction) + ") holds a single class of target " +
                       nn::quote_input(config.target) +
                       ": nothing to learn; add rows or raise data.train_fraction");
}

}  // namespace

Dataset load_csv_dataset(const DataConfig& config, std::uint64_t seed) {
  const CsvTable table = read_csv_table(config.path);
  const auto column_of = [&](const std::string& name) -> std::size_t {
    const auto it = std::find(table.header.begin(), table.header.end(), name);
    if (it == table.header.end())
      throw InputError(config.path, 1, 1,
                       "no column named " + nn::quote_input(name) + " in the header");
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
        throw InputError(
            config.path, field.line, field.column,
            "column " + nn::quote_input(table.header[features[f]]) + ": " +
                (field.text.empty() ? std::string("missing value")
                                    : nn::quote_input(field.text) + " is not a finite number"));
      x(static_cast<Eigen::Index>(f), j) = *value;
    }
  }
  for (std::size_t f = 0; f < features.size(); ++f)
    check_range(x, table, f, features[f], config.path);

  // The target: all numbers and some not whole -> regression; otherwise classes.
  bool numeric = true, whole = true;
  for (const auto& row : table.rows) {
    const CsvTable::Field& field = row[target];
    if (field.text.empty())
      throw InputError(config.path, field.line, field.column,
                       "column " + nn::quote_input(config.target) + ": missing target value");
    const auto value = parse_number(field.text);
    if (!value)
      numeric = false;
    else if (!std::isfinite(*value))
      throw InputError(config.path, field.line, field.column,
                       "column " + nn::quote_input(config.target) + ": target " +
                           nn::quote_input(field.text) + " is not finite");
    else if (*value != std::floor(*value) || std::abs(*value) > 9007199254740992.0)
      whole = false;  // beyond 2^53 every double is whole: a quantity, not a class label
  }
  if (config.task == TaskChoice::regression && !numeric) {
    for (const auto& row : table.rows)
      if (!parse_number(row[target].text))
        throw InputError(config.path, row[target].line, row[target].column,
                         "column " + nn::quote_input(config.target) + ": target " +
                             nn::quote_input(row[target].text) +
                             " is not a number, and data.task is regression");
  }
  const bool regression = config.task == TaskChoice::regression ||
                          (config.task == TaskChoice::automatic && numeric && !whole);
  Dataset d;
  Eigen::MatrixXd y;
  if (regression) {
    d.task = Task::regression;
    y.resize(1, n);
    for (Eigen::Index j = 0; j < n; ++j) {
      const CsvTable::Field& field = table.rows[static_cast<std::size_t>(j)][target];
      y(0, j) = *parse_number(field.text);
      // The squared error of a larger target overflows: every trial would diverge at once.
      if (std::abs(y(0, j)) > kMaxRegressionTarget)
        throw InputError(config.path, field.line, field.column,
                         "column " + nn::quote_input(config.target) + ": target " +
                             nn::quote_input(field.text) +
                             " is too large for a squared-error loss (at most 1e150 in "
                             "magnitude); rescale the column");
    }
  } else {
    // Class labels in a fixed order whatever the row order: by value for integers, else by text.
    auto less = [numeric](const std::string& a, const std::string& b) {
      return numeric ? *parse_number(a) < *parse_number(b) : a < b;
    };
    std::map<std::string, int, decltype(less)> classes(less);
    for (const auto& row : table.rows) classes.emplace(row[target].text, 0);
    if (classes.size() < 2)
      throw InputError(config.path, 1, static_cast<int>(target) + 1,
                       "target column " + nn::quote_input(config.target) + " has a single class (" +
                           nn::quote_input(classes.begin()->first) + "): nothing to learn");
    check_class_count(classes.size(), config, target);
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
  if (split.task != Task::regression) check_training_classes(split, config, target);
  // Standardise with the training split's statistics only: the test data must not leak in.
  if (split.train.size() > 0) {
    Eigen::VectorXd mean, scale;
    standardization(split.train.x, mean, scale);
    for (Split* s : {&split.train, &split.validation, &split.test})
      s->x = (s->x.colwise() - mean).array().colwise() / scale.array();
    split.feature_mean = mean;
    split.feature_scale = scale;
  }
  return split;
}

}  // namespace nn
