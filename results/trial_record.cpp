#include "results/trial_record.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "nn/input_error.h"

namespace results {

namespace {

constexpr std::array<std::string_view, 5> kLeadingColumns = {"trial_index", "trial_id", "repeat",
                                                             "fold", "seed"};
// The layout before cross-validation and the class scores (id scheme 2): no `fold`.
constexpr std::array<std::string_view, 4> kLegacyLeadingColumns = {"trial_index", "trial_id",
                                                                   "repeat", "seed"};

// The values of an epoch's metrics that trials.csv holds, by name; the balanced accuracies and
// macro F1s are not in files from before them.
struct EpochValue {
  std::string_view name;
  double nn::EpochMetrics::*value;
  bool class_score;
};
using M = nn::EpochMetrics;
constexpr EpochValue kEpochValues[] = {
    {"train_loss", &M::train_loss, false},
    {"val_loss", &M::val_loss, false},
    {"test_loss", &M::test_loss, false},
    {"train_accuracy", &M::train_accuracy, false},
    {"val_accuracy", &M::val_accuracy, false},
    {"test_accuracy", &M::test_accuracy, false},
    {"train_balanced_accuracy", &M::train_balanced_accuracy, true},
    {"val_balanced_accuracy", &M::val_balanced_accuracy, true},
    {"test_balanced_accuracy", &M::test_balanced_accuracy, true},
    {"train_macro_f1", &M::train_macro_f1, true},
    {"val_macro_f1", &M::val_macro_f1, true},
    {"test_macro_f1", &M::test_macro_f1, true}};

// One metric of one stage of the training, e.g. final_test_loss.
struct StageMetric {
  std::string name;
  nn::EpochMetrics TrialRecord::*stage;
  double nn::EpochMetrics::*value;
  bool class_score;
};

const std::vector<StageMetric>& stage_metrics() {
  static const std::vector<StageMetric> metrics = [] {
    const std::pair<std::string_view, nn::EpochMetrics TrialRecord::*> stages[] = {
        {"initial", &TrialRecord::initial},
        {"final", &TrialRecord::final},
        {"best", &TrialRecord::best}};
    std::vector<StageMetric> list;
    for (auto [stage_name, stage] : stages)
      for (const EpochValue& v : kEpochValues)
        list.push_back(
            {std::string(stage_name) + "_" + std::string(v.name), stage, v.value, v.class_score});
    return list;
  }();
  return metrics;
}

// Absent from files from before early stopping, which are read as if it were empty.
constexpr std::string_view kStoppedEpoch = "stopped_epoch";

// Columns after the hyperparameters, in order: of this nnsweep, or (`legacy`) of one from
// before the class scores, whose files report and merge still read.
const std::vector<std::string>& trailing_columns(bool legacy = false) {
  static const auto make = [](bool without_class_scores) {
    std::vector<std::string> list = {"outcome", "outcome_reason", "epochs_to_target", "epochs_run"};
    if (!without_class_scores) list.push_back(std::string(kStoppedEpoch));
    list.push_back("best_epoch");
    list.push_back("baseline_loss");
    for (const auto& metric : stage_metrics())
      if (!(without_class_scores && metric.class_score)) list.push_back(metric.name);
    list.push_back("wall_seconds");
    list.push_back("error");
    return list;
  };
  static const std::vector<std::string> current = make(false), old = make(true);
  return legacy ? old : current;
}

bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

bool same(const nn::EpochMetrics& a, const nn::EpochMetrics& b) {
  return a.epoch == b.epoch &&
         std::all_of(std::begin(kEpochValues), std::end(kEpochValues),
                     [&](const EpochValue& v) { return same(a.*v.value, b.*v.value); });
}

// The last column, from halving on; files from before it are read without it.
constexpr std::string_view kRungColumn = "rung";

int int_field(const CsvField& field, const std::string& file) {
  std::int64_t value = integer_field(field, file);
  if (value < 0 || value > std::numeric_limits<int>::max())
    throw nn::InputError(file, field.line, field.column,
                         nn::quote_input(field.text) + " is out of range");
  return static_cast<int>(value);
}

}  // namespace

std::uint64_t OutcomeCounts::total() const {
  std::uint64_t sum = 0;
  for (std::uint64_t k : n) sum += k;
  return sum;
}

bool TrialRecord::operator==(const TrialRecord& o) const {
  return index == o.index && id == o.id && repeat == o.repeat && fold == o.fold && seed == o.seed &&
         params == o.params && outcome == o.outcome && outcome_reason == o.outcome_reason &&
         epochs_to_target == o.epochs_to_target && same(baseline_loss, o.baseline_loss) &&
         epochs_run == o.epochs_run && stopped_epoch == o.stopped_epoch &&
         same(initial, o.initial) && same(final, o.final) && same(best, o.best) &&
         same(wall_seconds, o.wall_seconds) && error == o.error && rung == o.rung;
}

TrialRecord make_record(std::uint64_t index, std::string id, int repeat, std::uint64_t seed,
                        Params params, const nn::TrainResult& result, double wall_seconds) {
  TrialRecord record;
  record.index = index;
  record.id = std::move(id);
  record.repeat = repeat;
  record.seed = seed;
  record.params = std::move(params);
  record.outcome = result.verdict.outcome;
  record.outcome_reason = result.verdict.reason;
  record.epochs_to_target = result.verdict.epochs_to_target;
  record.baseline_loss = result.baseline_loss;
  record.epochs_run = result.epochs_run;
  record.stopped_epoch = result.stopped_epoch;
  record.initial = result.initial;
  record.final = result.final;
  record.best = result.best;
  record.wall_seconds = wall_seconds;
  return record;
}

TrialRecord make_error_record(std::uint64_t index, std::string id, int repeat, std::uint64_t seed,
                              Params params, std::string message, double wall_seconds) {
  TrialRecord record;
  record.index = index;
  record.id = std::move(id);
  record.repeat = repeat;
  record.seed = seed;
  record.params = std::move(params);
  record.outcome = Outcome::error;
  record.wall_seconds = wall_seconds;
  record.error = std::move(message);
  return record;
}

const std::vector<std::string>& trial_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list = {"epochs_to_target", "epochs_run", "stopped_epoch",
                                     "best_epoch", "baseline_loss"};
    for (const auto& metric : stage_metrics()) list.push_back(metric.name);
    list.push_back("wall_seconds");
    return list;
  }();
  return names;
}

std::optional<double> trial_metric(const TrialRecord& record, std::string_view name) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (name == "epochs_to_target") return record.epochs_to_target ? *record.epochs_to_target : kNaN;
  if (name == "epochs_run") return record.epochs_run;
  if (name == kStoppedEpoch) return record.stopped_epoch ? *record.stopped_epoch : kNaN;
  if (name == "best_epoch") return record.outcome == Outcome::error ? kNaN : record.best.epoch;
  if (name == "baseline_loss") return record.baseline_loss;
  if (name == "wall_seconds") return record.wall_seconds;
  for (const auto& metric : stage_metrics())
    if (metric.name == name) return (record.*metric.stage).*metric.value;
  return std::nullopt;
}

std::vector<std::string> trials_header(std::span<const std::string> param_keys) {
  std::vector<std::string> header(kLeadingColumns.begin(), kLeadingColumns.end());
  header.insert(header.end(), param_keys.begin(), param_keys.end());
  header.insert(header.end(), trailing_columns().begin(), trailing_columns().end());
  header.emplace_back(kRungColumn);
  return header;
}

std::string format_trials_header(std::span<const std::string> param_keys) {
  return format_row(trials_header(param_keys));
}

std::string format_trial_row(const TrialRecord& r) {
  std::string out;
  append_unsigned(out, r.index);
  out += ',';
  append_field(out, r.id);
  out += ',';
  append_integer(out, r.repeat);
  out += ',';
  if (r.fold) append_integer(out, *r.fold);
  out += ',';
  append_unsigned(out, r.seed);
  for (const auto& [key, value] : r.params) {
    out += ',';
    append_field(out, value);
  }
  out += ',';
  append_field(out, nn::to_string(r.outcome));
  out += ',';
  append_field(out, r.outcome_reason);
  out += ',';
  if (r.epochs_to_target) append_integer(out, *r.epochs_to_target);
  out += ',';
  append_integer(out, r.epochs_run);
  out += ',';
  if (r.stopped_epoch) append_integer(out, *r.stopped_epoch);
  out += ',';
  if (r.outcome != Outcome::error) append_integer(out, r.best.epoch);
  out += ',';
  append_number(out, r.baseline_loss);
  for (const auto& metric : stage_metrics()) {
    out += ',';
    append_number(out, (r.*metric.stage).*metric.value);
  }
  out += ',';
  append_number(out, r.wall_seconds);
  out += ',';
  append_field(out, r.error);
  out += ',';
  if (r.rung) append_integer(out, *r.rung);
  out += '\n';
  return out;
}

namespace {

// The keys of a header of the current layout or (`legacy`) the one before the folds and the
// class scores.
std::vector<std::string> header_keys(const CsvRecord& header, const std::string& file, bool legacy,
                                     bool& without_rung) {
  auto mismatch = [&](std::size_t i, std::string_view expected) -> nn::InputError {
    const CsvField& at = header.fields[std::min(i, header.size() - 1)];
    return nn::InputError(file, at.line, at.column,
                          "not a trials.csv header: expected column '" + std::string(expected) +
                              "'" +
                              (i < header.size() ? ", found " + nn::quote_input(header[i]) : ""));
  };
  const std::span<const std::string_view> leading =
      legacy ? std::span<const std::string_view>(kLegacyLeadingColumns) : kLeadingColumns;
  for (std::size_t i = 0; i < leading.size(); ++i)
    if (i >= header.size() || header[i] != leading[i]) throw mismatch(i, leading[i]);
  std::size_t i = leading.size();
  std::vector<std::string> keys;
  while (i < header.size() && header[i] != trailing_columns().front()) keys.push_back(header[i++]);
  for (const auto& column : trailing_columns(legacy)) {
    if (column == kStoppedEpoch && i < header.size() && header[i] != column) continue;
    if (i >= header.size() || header[i] != column) throw mismatch(i, column);
    ++i;
  }
  without_rung = legacy || i == header.size();
  if (!legacy && i < header.size() && header[i] == kRungColumn) ++i;
  if (i != header.size()) throw mismatch(i, "(end of header)");
  return keys;
}

}  // namespace

std::vector<std::string> parse_trials_header(const CsvRecord& header, const std::string& file,
                                             bool* legacy, bool* without_rung) {
  bool no_rung = false;
  if (without_rung == nullptr) without_rung = &no_rung;
  try {
    auto keys = header_keys(header, file, false, *without_rung);
    if (legacy) *legacy = false;
    return keys;
  } catch (const nn::InputError&) {
    // A file from before the folds and the class scores; when it is not one either, the error
    // is the current layout's.
    try {
      auto keys = header_keys(header, file, true, *without_rung);
      if (legacy) *legacy = true;
      return keys;
    } catch (const nn::InputError&) {
    }
    throw;
  }
}

TrialRecord parse_trial_row(const CsvRecord& row, std::span<const std::string> param_keys,
                            const std::string& file) {
  const std::size_t expected =
      kLeadingColumns.size() + param_keys.size() + trailing_columns().size() + 1;
  // The row of a file from before the folds and the class scores: no fold, and the scores
  // NaN, as for a regression.
  const bool legacy = row.size() == kLegacyLeadingColumns.size() + param_keys.size() +
                                        trailing_columns(true).size();
  // A row of a file from before early stopping and halving: no stopped_epoch, no rung.
  const bool unstopped = row.size() == expected - 2;
  if (row.size() != expected && !legacy && !unstopped) {
    const CsvField& at = row.fields.back();
    throw nn::InputError(
        file, at.line, at.column,
        "expected " + std::to_string(expected) + " fields, found " + std::to_string(row.size()));
  }
  TrialRecord r;
  std::size_t i = 0;
  r.index = unsigned_field(row.fields[i++], file);
  r.id = row[i++];
  r.repeat = int_field(row.fields[i++], file);
  if (!legacy)
    if (const CsvField& f = row.fields[i++]; !f.text.empty()) r.fold = int_field(f, file);
  r.seed = unsigned_field(row.fields[i++], file);
  for (const auto& key : param_keys) r.params.emplace_back(key, row[i++]);
  const CsvField& outcome = row.fields[i++];
  const auto parsed = parse_outcome(outcome.text);
  if (!parsed)
    throw nn::InputError(file, outcome.line, outcome.column,
                         "unknown outcome '" + outcome.text +
                             "' (expected learned, still_learning, underfit, stalled, unstable, "
                             "overfit, diverged, error or pruned)");
  r.outcome = *parsed;
  r.outcome_reason = row[i++];
  if (const CsvField& f = row.fields[i++]; !f.text.empty()) r.epochs_to_target = int_field(f, file);
  r.epochs_run = int_field(row.fields[i++], file);
  if (!legacy && !unstopped)
    if (const CsvField& f = row.fields[i++]; !f.text.empty()) r.stopped_epoch = int_field(f, file);
  if (const CsvField& f = row.fields[i++]; !f.text.empty()) r.best.epoch = int_field(f, file);
  r.baseline_loss = number_field(row.fields[i++], file);
  r.final.epoch = r.epochs_run;
  for (const auto& metric : stage_metrics())
    if (!(legacy && metric.class_score))
      (r.*metric.stage).*metric.value = number_field(row.fields[i++], file);
  r.wall_seconds = number_field(row.fields[i++], file);
  r.error = row[i++];
  if (!legacy && !unstopped)
    if (const CsvField& f = row.fields[i]; !f.text.empty()) r.rung = int_field(f, file);
  return r;
}

TrialsFileInfo read_trials(
    std::istream& in, const std::string& file, const std::function<void(TrialRecord&&)>& row,
    const std::function<void(const std::vector<std::string>& param_keys)>& header) {
  TrialsFileInfo info;
  CsvReader reader(in, file);
  CsvRecord record;
  bool have_header = false;
  while (reader.next(record)) {
    if (record.torn) {
      info.torn_tail = true;
      break;
    }
    if (!have_header) {
      info.param_keys =
          parse_trials_header(record, file, &info.without_class_scores, &info.without_rung);
      info.without_stopped_epoch =
          std::none_of(record.fields.begin(), record.fields.end(),
                       [](const CsvField& f) { return f.text == kStoppedEpoch; });
      have_header = true;
      if (header) header(info.param_keys);
      continue;
    }
    row(parse_trial_row(record, info.param_keys, file));
    ++info.rows;
  }
  info.complete_bytes = reader.complete_bytes();
  return info;
}

namespace {

// Where a row of trials.csv lies in the file, its trial_index and its place in the file.
struct RowSpan {
  std::uint64_t index, begin, end, order;
};

struct RowIndex {
  std::uint64_t header_end = 0;  // 0: no header
  std::vector<RowSpan> rows;
};

// Where each complete row lies (a torn last line is dropped). Each row is parsed and checked
// when `check` is set, else only its trial_index is read.
RowIndex index_rows(CsvReader& reader, const std::string& file, bool check) {
  RowIndex index;
  CsvRecord record;
  std::vector<std::string> keys;
  while (reader.next(record) && !record.torn) {
    if (index.header_end == 0) {
      if (check) keys = parse_trials_header(record, file);
      index.header_end = record.end;
      continue;
    }
    const std::uint64_t trial = check ? parse_trial_row(record, keys, file).index
                                      : unsigned_field(record.fields.front(), file);
    index.rows.push_back({trial, record.begin, record.end, index.rows.size()});
  }
  return index;
}

// Sorts by trial_index, keeping the last row of each index.
void keep_latest(std::vector<RowSpan>& rows) {
  std::sort(rows.begin(), rows.end(), [](const RowSpan& a, const RowSpan& b) {
    return a.index != b.index ? a.index < b.index : a.order > b.order;
  });
  rows.erase(std::unique(rows.begin(), rows.end(),
                         [](const RowSpan& a, const RowSpan& b) { return a.index == b.index; }),
             rows.end());
}

}  // namespace

std::uint64_t sort_trials(std::istream& in, std::ostream& out, const std::string& file,
                          std::uint64_t hold_bytes, bool check_rows) {
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  // A file of up to hold_bytes is read whole and the rows copied from memory: a seek and a read
  // per row took 20,000 system calls for 10,000 rows. A larger file is copied a row at a time,
  // seeking, so memory stays bounded.
  const bool whole = size <= hold_bytes;
  std::string buffer;
  if (whole) {
    buffer.resize(size);
    in.read(buffer.data(), static_cast<std::streamsize>(size));
    if (!in) throw std::runtime_error(file + ": cannot read trial rows");
  }
  // Pass 1: where each row lies, so a bad file fails before `out` is touched.
  RowIndex index;
  if (whole) {
    CsvReader reader(std::string_view(buffer), file);
    index = index_rows(reader, file, check_rows);
  } else {
    CsvReader reader(in, file);
    index = index_rows(reader, file, check_rows);
  }
  keep_latest(index.rows);
  // Pass 2: copy the header and the rows in order.
  in.clear();
  auto copy = [&](std::uint64_t begin, std::uint64_t end) {
    if (whole) {
      out.write(buffer.data() + begin, static_cast<std::streamsize>(end - begin));
      return;
    }
    buffer.resize(end - begin);
    in.seekg(static_cast<std::streamoff>(begin));
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (!in) throw std::runtime_error(file + ": cannot read back trial rows");
    out << buffer;
  };
  if (index.header_end > 0) copy(0, index.header_end);
  for (const RowSpan& row : index.rows) copy(row.begin, row.end);
  return index.rows.size();
}

}  // namespace results
