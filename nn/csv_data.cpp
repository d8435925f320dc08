#include "nn/csv_data.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "nn/input_error.h"
#include "nn/input_file.h"
#include "nn/number.h"

namespace nn {
namespace {

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
// its names would not survive into the model file, so predict could not find them). Reads the
// file a chunk at a time; a NUL anywhere is reported before a byte that is not UTF-8.
void check_text(const std::string& path) {
  InputFile file(path, "CSV file");
  std::string chunk(std::size_t{1} << 20, '\0');
  std::size_t carried = 0;           // bytes of a UTF-8 sequence the last chunk ended in
  std::uint64_t offset = 0;          // of chunk[0] in the file
  std::optional<std::uint64_t> bad;  // the first byte that is not UTF-8
  for (;;) {
    const std::size_t got = file.read(chunk.data() + carried, chunk.size() - carried);
    const std::string_view text(chunk.data(), carried + got);
    if (text.find('\0') != std::string_view::npos)
      throw InputError(path, 0, 0, "is not a text file (it contains NUL bytes)");
    if (got == 0) break;
    std::size_t i = 0;
    while (i < text.size() && !bad) {
      const std::size_t n = static_cast<unsigned char>(text[i]) < 0x80 ? 1 : utf8_length(text, i);
      if (n == 0 && text.size() - i < 4) break;  // perhaps a sequence the next chunk finishes
      if (n == 0) bad = offset + i;
      i += n;
    }
    if (bad) i = text.size();
    carried = text.size() - i;
    std::copy(chunk.begin() + static_cast<std::ptrdiff_t>(i),
              chunk.begin() + static_cast<std::ptrdiff_t>(text.size()), chunk.begin());
    offset += i;
  }
  if (carried > 0 && !bad) bad = offset;
  if (!bad) return;
  const std::string text = read_input_file(path, "CSV file");
  const auto [line, column] = position_of(text, *bad);
  throw InputError(path, line, column,
                   "the CSV file is not UTF-8 text (byte " +
                       nn::quote_input(std::string_view(text).substr(*bad, 1)) +
                       " here); save it as UTF-8");
}

// Duplicate names would make a column ambiguous: `noise,y,y` with target y would train on the
// other y. Names are compared exactly.
void check_header(const std::string& path, const CsvRecord& header) {
  if (header.size() > static_cast<std::size_t>(kMaxCsvColumns))
    throw InputError(path, 1, 1,
                     "the header has " + std::to_string(header.size()) +
                         " columns, more than the " + std::to_string(kMaxCsvColumns) +
                         " nnsweep reads");
  std::map<std::string_view, std::size_t> seen;
  for (std::size_t c = 0; c < header.size(); ++c) {
    const auto [it, fresh] = seen.emplace(header[c], c);
    if (!fresh) {
      const CsvField& first = header.fields[it->second];
      const CsvField& again = header.fields[c];
      throw InputError(path, again.line, again.column,
                       "column " + std::to_string(c + 1) + " is named " +
                           nn::quote_input(again.text) + " like column " +
                           std::to_string(it->second + 1) + " (at " + std::to_string(first.line) +
                           ":" + std::to_string(first.column) + "); column names must be unique");
    }
  }
}

// The next record that is not blank (a line holding only "" is blank too).
bool next_row(CsvReader& reader, CsvRecord& record) {
  while (reader.next(record)) {
    if (record.unclosed) {
      const CsvField& field = record.fields.back();
      throw InputError(reader.file(), field.line, field.column, "quoted field is never closed");
    }
    if (record.size() != 1 || !record[0].empty()) return true;
  }
  return false;
}

// Reads the CSV file's header into `header`, then calls `row` for each row; checks the shape.
void scan_rows(const std::string& path, std::vector<std::string>& header,
               const std::function<void(const CsvRecord&)>& row) {
  InputFile input(path, "CSV file");
  CsvReader reader(input, path, {.max_field_bytes = static_cast<std::size_t>(kMaxCsvCellBytes)});
  CsvRecord record;
  if (!next_row(reader, record))
    throw InputError(path, 0, 0, "the CSV file is empty (no header row)");
  check_header(path, record);
  header.clear();
  for (auto& field : record.fields) header.push_back(std::move(field.text));
  bool any = false;
  while (next_row(reader, record)) {
    if (record.size() != header.size())
      throw InputError(path, record.fields.front().line, 1,
                       "row has " + std::to_string(record.size()) + " fields, the header has " +
                           std::to_string(header.size()));
    row(record);
    any = true;
  }
  if (!any) throw InputError(path, 2, 1, "the CSV file has a header but no rows");
}

// Field `c` of data row `r` (0-based) of the CSV file, read again: for a message.
CsvField field_at(const std::string& path, std::size_t r, std::size_t c) {
  CsvField found;
  std::size_t at = 0;
  std::vector<std::string> header;
  scan_rows(path, header, [&](const CsvRecord& record) {
    if (at++ == r) found = record.fields[c];
  });
  return found;
}

}  // namespace

std::vector<std::string> read_csv_rows(const std::string& path,
                                       const std::function<void(const CsvRecord&)>& row) {
  std::vector<std::string> header;
  check_text(path);
  scan_rows(path, header, row);
  return header;
}

CsvTable read_csv_table(const std::string& path) {
  CsvTable table{path, {}, {}};
  table.header =
      read_csv_rows(path, [&](const CsvRecord& record) { table.rows.push_back(record); });
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

// Which columns of the header are the target and the features.
struct Columns {
  std::size_t target = 0;
  std::vector<std::size_t> features;
};

Columns choose_columns(const std::vector<std::string>& header, const DataConfig& config) {
  const auto column_of = [&](const std::string& name) -> std::size_t {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end())
      throw InputError(config.path, 1, 1,
                       "no column named " + nn::quote_input(name) + " in the header");
    return static_cast<std::size_t>(it - header.begin());
  };
  Columns columns;
  columns.target = column_of(config.target);
  for (const auto& name : config.columns) columns.features.push_back(column_of(name));
  if (config.columns.empty())
    for (std::size_t c = 0; c < header.size(); ++c)
      if (c != columns.target) columns.features.push_back(c);
  if (columns.features.empty()) throw InputError(config.path, 1, 1, "no feature columns");
  return columns;
}

// The texts of one feature column under data.categorical onehot, each kept as a code (its
// index in `texts`, in the order of first appearance), and the first cell of either kind: a
// column is numbers or text, never both.
struct TextColumn {
  std::vector<std::string> texts;
  std::unordered_map<std::string, double> codes;
  std::size_t numbers = 0;
  std::optional<CsvField> first_text, first_number;
};

// The values of a CSV file: features parsed (one column of x per row), targets as text. A
// feature cell is its number, its text's code (see TextColumn) or kMissingCell.
struct CsvValues {
  std::vector<std::string> header;
  Columns columns;
  Eigen::MatrixXd x;              // (features, rows)
  std::vector<CsvField> targets;  // one per row
  std::vector<TextColumn> text;   // one per feature
};

[[noreturn]] void refuse_missing(const CsvField& field, const std::string& name,
                                 const std::string& path) {
  throw InputError(path, field.line, field.column,
                   "column " + nn::quote_input(name) +
                       ": missing value; set data.missing: drop_rows (leave such rows out) or "
                       "data.missing: mean (fill in the training split's mean) to accept empty "
                       "cells");
}

// The code of a text cell, refused without data.categorical onehot and beyond kMaxCategories.
double text_code(const CsvField& field, const std::string& name, const DataConfig& config,
                 TextColumn& column) {
  if (config.categorical != Categorical::onehot)
    throw InputError(config.path, field.line, field.column,
                     "column " + nn::quote_input(name) + ": " + nn::quote_input(field.text) +
                         " is not a number; to use a column of text (categories) as a feature, "
                         "set data.categorical: onehot");
  if (!column.first_text) column.first_text = field;
  const auto [it, fresh] = column.codes.emplace(field.text, column.texts.size());
  if (fresh) {
    if (column.texts.size() == static_cast<std::size_t>(kMaxCategories))
      throw InputError(config.path, field.line, field.column,
                       "column " + nn::quote_input(name) + ": " + nn::quote_input(field.text) +
                           " makes " + std::to_string(kMaxCategories + 1) +
                           " distinct texts, more than the " + std::to_string(kMaxCategories) +
                           " categories data.categorical: onehot encodes (README, \"Limits\"); "
                           "leave the column out with data.columns");
    column.texts.push_back(field.text);
  }
  return it->second;
}

// A number beyond a double's range (`1e999`): parse_number refuses it, but it is no category.
bool out_of_range(std::string_view text) {
  const auto start = text.find_first_not_of(' ');
  const auto end = text.find_last_not_of(' ');
  if (start == std::string_view::npos) return false;
  text = text.substr(start, end - start + 1);
  if (text.starts_with('+')) text.remove_prefix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc::result_out_of_range && ptr == text.data() + text.size();
}

double feature_cell(const CsvField& field, const std::string& name, const DataConfig& config,
                    TextColumn& column) {
  if (field.text.empty()) {
    if (config.missing == Missing::error) refuse_missing(field, name, config.path);
    return kMissingCell;
  }
  const auto value = parse_number(field.text);
  if (!value && !out_of_range(field.text)) return text_code(field, name, config, column);
  if (!value || !std::isfinite(*value))
    throw InputError(config.path, field.line, field.column,
                     "column " + nn::quote_input(name) + ": " + nn::quote_input(field.text) +
                         " is not a finite number");
  if (!column.first_number) column.first_number = field;
  ++column.numbers;
  return *value;
}

// A column of numbers with a stray text ("n/a", "?") would otherwise become a onehot column
// of every number it holds: refused, at the first cell of the rarer kind.
void check_mixed(const CsvValues& values, const std::string& path) {
  for (std::size_t f = 0; f < values.text.size(); ++f) {
    const TextColumn& column = values.text[f];
    if (!column.first_text || !column.first_number) continue;
    std::size_t texts = 0;
    for (Eigen::Index j = 0; j < values.x.cols(); ++j)
      texts += !std::isnan(values.x(static_cast<Eigen::Index>(f), j));
    texts -= column.numbers;
    const bool text_rarer = texts <= column.numbers;
    const CsvField& here = text_rarer ? *column.first_text : *column.first_number;
    const CsvField& other = text_rarer ? *column.first_number : *column.first_text;
    throw InputError(
        path, here.line, here.column,
        "column " + nn::quote_input(values.header[values.columns.features[f]]) + " holds " +
            std::to_string(column.numbers) + " numbers and " + std::to_string(texts) + " texts (" +
            nn::quote_input(here.text) + " here, " + nn::quote_input(other.text) + " at " +
            std::to_string(other.line) + ":" + std::to_string(other.column) +
            "); a feature column is numbers or text (categories), not both: leave a missing "
            "value empty, or make every category a name");
  }
}

// A column whose range does not fit a double cannot be standardised: the message names its
// largest value's position and both extremes.
void check_ranges(const CsvValues& values, const std::string& path) {
  for (std::size_t f = 0; f < values.columns.features.size(); ++f) {
    if (!values.text[f].texts.empty()) continue;
    const auto row = static_cast<Eigen::Index>(f);
    Eigen::Index hi = 0, lo = 0;
    const double max = values.x.row(row).maxCoeff<Eigen::PropagateNumbers>(&hi);
    const double min = values.x.row(row).minCoeff<Eigen::PropagateNumbers>(&lo);
    if (std::isnan(max) || std::isfinite(max - min)) continue;  // NaN: every cell is missing
    const std::size_t c = values.columns.features[f];
    const CsvField high = field_at(path, static_cast<std::size_t>(hi), c);
    const CsvField low = field_at(path, static_cast<std::size_t>(lo), c);
    throw InputError(path, high.line, high.column,
                     "column " + nn::quote_input(values.header[c]) + ": its values span from " +
                         nn::quote_input(low.text) + " to " + nn::quote_input(high.text) +
                         ", a range too wide to standardise in double precision; rescale the "
                         "column");
  }
}

// Reads the file row by row, holding only the numbers and the target cells (x is sized from
// the first row's length, and grows if the rows that follow are shorter).
CsvValues read_values(const DataConfig& config) {
  check_text(config.path);
  std::error_code error;
  const auto bytes = static_cast<Eigen::Index>(std::filesystem::file_size(config.path, error));
  CsvValues values;
  Eigen::Index n = 0;
  scan_rows(config.path, values.header, [&](const CsvRecord& record) {
    if (n == 0) {
      values.columns = choose_columns(values.header, config);
      values.text.resize(values.columns.features.size());
      const auto row_bytes = static_cast<Eigen::Index>(record.end - record.begin) + 1;
      values.x.resize(static_cast<Eigen::Index>(values.columns.features.size()),
                      error ? 1024 : bytes / row_bytes + 16);
    }
    if (n == values.x.cols()) values.x.conservativeResize(Eigen::NoChange, 2 * n);
    const std::vector<std::size_t>& features = values.columns.features;
    for (std::size_t f = 0; f < features.size(); ++f)
      values.x(static_cast<Eigen::Index>(f), n) = feature_cell(
          record.fields[features[f]], values.header[features[f]], config, values.text[f]);
    values.targets.push_back(record.fields[values.columns.target]);
    ++n;
  });
  values.x.conservativeResize(Eigen::NoChange, n);
  check_mixed(values, config.path);
  check_ranges(values, config.path);
  return values;
}

// data.missing drop_rows: the rows with a missing feature cell are left out before the split.
void drop_missing_rows(CsvValues& values, const DataConfig& config) {
  Eigen::Index kept = 0;
  for (Eigen::Index j = 0; j < values.x.cols(); ++j) {
    if (values.x.col(j).hasNaN()) continue;
    if (kept != j) {
      values.x.col(kept) = values.x.col(j);
      values.targets[static_cast<std::size_t>(kept)] =
          std::move(values.targets[static_cast<std::size_t>(j)]);
    }
    ++kept;
  }
  if (kept == 0)
    throw InputError(config.path, 2, 1,
                     "every row has a missing feature value, and data.missing: drop_rows leaves "
                     "none; try data.missing: mean");
  values.x.conservativeResize(Eigen::NoChange, kept);
  values.targets.resize(static_cast<std::size_t>(kept));
}

// All numbers and some not whole -> regression; otherwise classes.
struct TargetKind {
  bool numeric = true, whole = true;
};

TargetKind target_kind(const CsvValues& values, const DataConfig& config) {
  TargetKind kind;
  for (const CsvField& field : values.targets) {
    if (field.text.empty())
      throw InputError(config.path, field.line, field.column,
                       "column " + nn::quote_input(config.target) + ": missing target value");
    const auto value = parse_number(field.text);
    if (!value)
      kind.numeric = false;
    else if (!std::isfinite(*value))
      throw InputError(config.path, field.line, field.column,
                       "column " + nn::quote_input(config.target) + ": target " +
                           nn::quote_input(field.text) + " is not finite");
    else if (*value != std::floor(*value) || std::abs(*value) > 9007199254740992.0)
      kind.whole = false;  // beyond 2^53 every double is whole: a quantity, not a class label
  }
  if (config.task == TaskChoice::regression && !kind.numeric) {
    for (const CsvField& field : values.targets)
      if (!parse_number(field.text))
        throw InputError(config.path, field.line, field.column,
                         "column " + nn::quote_input(config.target) + ": target " +
                             nn::quote_input(field.text) +
                             " is not a number, and data.task is regression");
  }
  return kind;
}

Eigen::MatrixXd regression_targets(const CsvValues& values, const DataConfig& config) {
  Eigen::MatrixXd y(1, static_cast<Eigen::Index>(values.targets.size()));
  for (Eigen::Index j = 0; j < y.cols(); ++j) {
    const CsvField& field = values.targets[static_cast<std::size_t>(j)];
    y(0, j) = *parse_number(field.text);
    // The squared error of a larger target overflows: every trial would diverge at once.
    if (std::abs(y(0, j)) > kMaxRegressionTarget)
      throw InputError(config.path, field.line, field.column,
                       "column " + nn::quote_input(config.target) + ": target " +
                           nn::quote_input(field.text) +
                           " is too large for a squared-error loss (at most 1e150 in "
                           "magnitude); rescale the column");
  }
  return y;
}

// Class labels in a fixed order whatever the row order: by value for integers, else by text.
// Sets d.task and d.class_names; the targets are 0/1 (binary) or one-hot (multiclass).
Eigen::MatrixXd class_targets(const CsvValues& values, const DataConfig& config, bool numeric,
                              Dataset& d) {
  auto less = [numeric](const std::string& a, const std::string& b) {
    return numeric ? *parse_number(a) < *parse_number(b) : a < b;
  };
  std::map<std::string, int, decltype(less)> classes(less);
  for (const CsvField& field : values.targets) classes.emplace(field.text, 0);
  const std::size_t target = values.columns.target;
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
  Eigen::MatrixXd y;
  y.setZero(binary ? 1 : static_cast<Eigen::Index>(classes.size()),
            static_cast<Eigen::Index>(values.targets.size()));
  for (Eigen::Index j = 0; j < y.cols(); ++j) {
    const int k = classes.at(values.targets[static_cast<std::size_t>(j)].text);
    if (binary)
      y(0, j) = k;
    else
      y(k, j) = 1.0;
  }
  return y;
}

// The mean of a row's present (not missing) cells, on x / max|x| so that the sum cannot
// overflow; nothing when every cell is missing.
std::optional<double> present_mean(const Eigen::RowVectorXd& row) {
  double largest = 0;
  Eigen::Index count = 0;
  for (const double v : row)
    if (!std::isnan(v)) largest = std::max(largest, std::abs(v)), ++count;
  if (count == 0) return std::nullopt;
  if (largest == 0) return 0.0;
  double sum = 0;
  for (const double v : row)
    if (!std::isnan(v)) sum += v / largest;
  return sum / static_cast<double>(count) * largest;
}

// How feature f becomes inputs, from the training split's cells only (`train`, codes not yet
// encoded): the categories it holds, sorted, or the mean that fills a missing cell.
ColumnEncoding learn_encoding(const CsvValues& values, std::size_t f, const Eigen::MatrixXd& train,
                              const DataConfig& config) {
  const std::size_t c = values.columns.features[f];
  ColumnEncoding e{.name = values.header[c],
                   .kind = ColumnKind::number,
                   .fill_missing = config.missing == Missing::mean,
                   .fill = 0,
                   .categories = {}};
  // An empty training split has no storage to take a row of.
  const Eigen::RowVectorXd row = train.cols() > 0
                                     ? Eigen::RowVectorXd(train.row(static_cast<Eigen::Index>(f)))
                                     : Eigen::RowVectorXd();
  const TextColumn& text = values.text[f];
  const std::string none = "column " + nn::quote_input(e.name) + " has no value in the " +
                           std::to_string(train.cols()) + " rows of the training split";
  if (text.texts.empty()) {
    if (!e.fill_missing) return e;
    const auto mean = present_mean(row);
    if (!mean)
      throw InputError(config.path, 1, static_cast<int>(c) + 1,
                       none +
                           ", so data.missing: mean has no mean to fill in; leave the "
                           "column out with data.columns");
    e.fill = *mean;
    return e;
  }
  e.kind = ColumnKind::onehot;
  std::set<std::string> seen;
  for (const double code : row)
    if (!std::isnan(code)) seen.insert(text.texts[static_cast<std::size_t>(code)]);
  if (seen.empty())
    throw InputError(config.path, 1, static_cast<int>(c) + 1,
                     none + ": no category to encode; leave the column out with data.columns");
  e.categories.assign(seen.begin(), seen.end());
  return e;
}

// The inputs of one split's cells: codes become the index of their text among the training
// split's categories (or kUnseenCategory), then encode_columns.
Eigen::MatrixXd encode_split(const CsvValues& values, const std::vector<ColumnEncoding>& columns,
                             const Eigen::MatrixXd& x) {
  if (x.cols() == 0) return Eigen::MatrixXd(encoded_width(columns), 0);
  Eigen::MatrixXd cells = x;
  for (std::size_t f = 0; f < columns.size(); ++f) {
    if (columns[f].kind != ColumnKind::onehot) continue;
    std::vector<double> index;
    for (const std::string& text : values.text[f].texts)
      index.push_back(category_index(columns[f], text));
    for (double& cell : cells.row(static_cast<Eigen::Index>(f)))
      if (!std::isnan(cell)) cell = index[static_cast<std::size_t>(cell)];
  }
  return encode_columns(columns, cells);
}

// Encodes every split as the training split's cells say (nn/encoding.h).
void encode(Dataset& split, const CsvValues& values, const DataConfig& config) {
  for (std::size_t f = 0; f < values.columns.features.size(); ++f)
    split.columns.push_back(learn_encoding(values, f, split.train.x, config));
  // A saved model's reader caps its inputs there too.
  if (encoded_width(split.columns) > kMaxCsvColumns)
    throw InputError(config.path, 1, 1,
                     "data.categorical: onehot makes " +
                         std::to_string(encoded_width(split.columns)) +
                         " network inputs of the feature columns, more than the " +
                         std::to_string(kMaxCsvColumns) +
                         " nnsweep trains (README, \"Limits\"); leave columns out with "
                         "data.columns");
  for (Split* s : {&split.train, &split.validation, &split.test})
    s->x = encode_split(values, split.columns, s->x);
  split.feature_names = encoded_names(split.columns);
}

// Standardises with the training split's statistics only: the test data must not leak in.
void standardise(Dataset& split) {
  if (split.train.size() == 0) return;
  Eigen::VectorXd mean, scale;
  standardization(split.train.x, mean, scale);
  for (Split* s : {&split.train, &split.validation, &split.test})
    s->x = (s->x.colwise() - mean).array().colwise() / scale.array();
  split.feature_mean = mean;
  split.feature_scale = scale;
}

}  // namespace

Dataset load_csv_dataset(const DataConfig& config, std::uint64_t seed) {
  CsvValues values = read_values(config);
  if (config.missing == Missing::drop_rows) drop_missing_rows(values, config);
  const TargetKind kind = target_kind(values, config);
  const bool regression = config.task == TaskChoice::regression ||
                          (config.task == TaskChoice::automatic && kind.numeric && !kind.whole);
  Dataset d;
  d.task = Task::regression;
  const Eigen::MatrixXd y = regression ? regression_targets(values, config)
                                       : class_targets(values, config, kind.numeric, d);
  values.targets = {};

  Rng rng(seed);
  Dataset split = split_dataset(values.x, y, d.task, config, rng);
  values.x.resize(0, 0);
  split.class_names = std::move(d.class_names);
  if (split.task != Task::regression) check_training_classes(split, config, values.columns.target);
  encode(split, values, config);
  standardise(split);
  return split;
}

}  // namespace nn
