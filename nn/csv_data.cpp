#include "nn/csv_data.h"

#include "nn/csv_values.h"

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
}  // namespace

void check_csv_header(const std::string& path, const CsvRecord& header) {
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

namespace {

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
  check_csv_header(path, record);
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

}  // namespace

void read_csv_rows(const std::string& path, std::vector<std::string>& header,
                   const std::function<void(const CsvRecord&)>& row) {
  check_text(path);
  scan_rows(path, header, row);
}

std::vector<std::string> read_csv_rows(const std::string& path,
                                       const std::function<void(const CsvRecord&)>& row) {
  std::vector<std::string> header;
  read_csv_rows(path, header, row);
  return header;
}

CsvTable read_csv_table(const std::string& path) {
  CsvTable table{path, {}, {}};
  table.header =
      read_csv_rows(path, [&](const CsvRecord& record) { table.rows.push_back(record); });
  return table;
}

namespace {

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

// All numbers and some not whole -> regression; otherwise classes.
struct TargetKind {
  bool numeric = true, whole = true;
};

TargetKind target_kind(const CsvValues& values, const DataConfig& config) {
  const TargetCells& t = values.target;
  if (const auto& bad = t.first_bad) {
    if (bad->text.empty())
      throw InputError(config.path, bad->line, bad->column,
                       "column " + nn::quote_input(config.target) + ": missing target value");
    throw InputError(config.path, bad->line, bad->column,
                     "column " + nn::quote_input(config.target) + ": target " +
                         nn::quote_input(bad->text) + " is not finite");
  }
  if (config.task == TaskChoice::regression && t.first_text)
    throw InputError(config.path, t.first_text->line, t.first_text->column,
                     "column " + nn::quote_input(config.target) + ": target " +
                         nn::quote_input(t.first_text->text) +
                         " is not a number, and data.task is regression");
  return {t.numeric, t.whole};
}

Eigen::MatrixXd regression_targets(const CsvValues& values, const DataConfig& config) {
  // The squared error of a larger target overflows: every trial would diverge at once.
  if (const auto& huge = values.target.first_huge)
    throw InputError(config.path, huge->line, huge->column,
                     "column " + nn::quote_input(config.target) + ": target " +
                         nn::quote_input(huge->text) +
                         " is too large for a squared-error loss (at most 1e150 in "
                         "magnitude); rescale the column");
  const std::vector<double>& value = values.target.value;
  return Eigen::Map<const Eigen::MatrixXd>(value.data(), 1,
                                           static_cast<Eigen::Index>(value.size()));
}

// Class labels in a fixed order whatever the row order: by value for integers, else by text;
// equal numbers written differently ("1", "1.0") are one class, named as first written.
// Sets d.task and d.class_names; the targets are 0/1 (binary) or one-hot (multiclass).
Eigen::MatrixXd class_targets(const CsvValues& values, const DataConfig& config, bool numeric,
                              Dataset& d) {
  if (values.target.overflow)  // more texts than classes allow: count them all for the message
    return class_targets(*csv_values_all_targets(config), config, numeric, d);
  const TargetCells& t = values.target;
  auto less = [numeric](const std::string& a, const std::string& b) {
    return numeric ? *parse_number(a) < *parse_number(b) : a < b;
  };
  std::map<std::string, int, decltype(less)> classes(less);
  for (const std::string& text : t.texts) classes.emplace(text, 0);  // in order of appearance
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
  std::vector<int> class_of;
  for (const std::string& text : t.texts) class_of.push_back(classes.find(text)->second);
  const bool binary = classes.size() == 2;
  d.task = binary ? Task::binary : Task::multiclass;
  Eigen::MatrixXd y;
  y.setZero(binary ? 1 : static_cast<Eigen::Index>(classes.size()),
            static_cast<Eigen::Index>(t.code.size()));
  for (Eigen::Index j = 0; j < y.cols(); ++j) {
    const int k = class_of[t.code[static_cast<std::size_t>(j)]];
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
  const TextColumn& text = values.text[f];
  // A column of numbers with nothing to fill in reads no cell: no copy of its row.
  if (text.texts.empty() && !e.fill_missing) return e;
  // An empty training split has no storage to take a row of.
  const Eigen::RowVectorXd row = train.cols() > 0
                                     ? Eigen::RowVectorXd(train.row(static_cast<Eigen::Index>(f)))
                                     : Eigen::RowVectorXd();
  const std::string none = "column " + nn::quote_input(e.name) + " has no value in the " +
                           std::to_string(train.cols()) + " rows of the training split";
  if (text.texts.empty()) {
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
// split's categories (or kUnseenCategory), then encode_columns. Columns of numbers only are
// filled in place: no second copy of the split.
Eigen::MatrixXd encode_split(const CsvValues& values, const std::vector<ColumnEncoding>& columns,
                             Eigen::MatrixXd x) {
  if (x.cols() == 0) return Eigen::MatrixXd(encoded_width(columns), 0);
  if (std::all_of(columns.begin(), columns.end(),
                  [](const ColumnEncoding& c) { return c.kind == ColumnKind::number; })) {
    for (std::size_t f = 0; f < columns.size(); ++f)
      if (columns[f].fill_missing)
        for (double& cell : x.row(static_cast<Eigen::Index>(f)))
          if (std::isnan(cell)) cell = columns[f].fill;
    return x;
  }
  for (std::size_t f = 0; f < columns.size(); ++f) {
    if (columns[f].kind != ColumnKind::onehot) continue;
    std::vector<double> index;
    for (const std::string& text : values.text[f].texts)
      index.push_back(category_index(columns[f], text));
    for (double& cell : x.row(static_cast<Eigen::Index>(f)))
      if (!std::isnan(cell)) cell = index[static_cast<std::size_t>(cell)];
  }
  return encode_columns(columns, x);
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
    s->x = encode_split(values, split.columns, std::move(s->x));
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

// Whether encoding a column looks at its training cells (and may refuse them): categories
// and the means data.missing: mean fills in.
bool encoding_reads_cells(const CsvValues& values, const DataConfig& config) {
  return config.missing == Missing::mean ||
         std::any_of(values.text.begin(), values.text.end(),
                     [](const TextColumn& column) { return !column.texts.empty(); });
}

// The dataset, or with `inputs` false its splits without their inputs where encoding needs
// none (each split's x then has no rows).
Dataset build_csv_dataset(const DataConfig& config, std::uint64_t seed, bool inputs, ParseUse use) {
  // The last dataset of a parse that nothing else holds uses its memory up.
  const std::shared_ptr<CsvValues> owned =
      use == ParseUse::last ? take_csv_values(config) : nullptr;
  const std::shared_ptr<const CsvValues> values = owned ? owned : csv_values(config);
  const TargetKind kind = target_kind(*values, config);
  const bool regression = config.task == TaskChoice::regression ||
                          (config.task == TaskChoice::automatic && kind.numeric && !kind.whole);
  Dataset d;
  d.task = Task::regression;
  const Eigen::MatrixXd y = regression ? regression_targets(*values, config)
                                       : class_targets(*values, config, kind.numeric, d);
  Rng rng(seed);
  inputs = inputs || encoding_reads_cells(*values, config);
  const Eigen::MatrixXd none(0, values->x.cols());
  Dataset split = !inputs ? split_dataset(none, y, d.task, config, rng)
                  : owned ? split_dataset_consuming(owned->x.matrix(), y, d.task, config, rng)
                          : split_dataset(values->x.matrix(), y, d.task, config, rng);
  split.class_names = std::move(d.class_names);
  if (split.task != Task::regression) check_training_classes(split, config, values->columns.target);
  if (!inputs) return split;
  encode(split, *values, config);
  standardise(split);
  return split;
}

}  // namespace

Dataset load_csv_dataset(const DataConfig& config, std::uint64_t seed, ParseUse use) {
  return build_csv_dataset(config, seed, true, use);
}

Dataset load_csv_splits(const DataConfig& config, std::uint64_t seed) {
  return build_csv_dataset(config, seed, false, ParseUse::share);
}

}  // namespace nn
