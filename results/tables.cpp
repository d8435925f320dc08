#include "results/tables.h"

#include <fmt/format.h>
#include <tbb/parallel_invoke.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "nn/input_error.h"
#include "results/atomic_file.h"
#include "results/csv.h"
#include "results/curves.h"
#include "results/interrupt.h"
#include "results/metric_text.h"
#include "results/report_page.h"
#include "results/summary.h"

namespace results {
namespace {

namespace fs = std::filesystem;

// Lines of reasons printed under the table; the files list them all.
constexpr std::size_t kTerminalReasons = 30;

void sort_trials_file(const fs::path& dir, bool rows_checked) {
  const fs::path path = dir / "trials.csv";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw nn::InputError(path.string(), 0, 0, "cannot open trials.csv");
  replace_file(
      dir, "trials.csv",
      [&](std::ostream& out) {
        sort_trials(in, out, path.string(), kSortHoldBytes, !rows_checked);
      },
      Sync::file);
}

void sort_curves_file(const fs::path& dir, const std::vector<std::string>& ids) {
  const fs::path path = dir / "curves.csv";
  if (!fs::exists(path)) return;
  std::ifstream in(path, std::ios::binary);
  replace_file(
      dir, "curves.csv", [&](std::ostream& out) { sort_curves(in, out, ids, path.string()); },
      Sync::file);
}

// The configurations with the lowest selection loss: mean best validation loss when the sweep
// has a validation split, otherwise mean best training loss (never test: choosing on the test
// split would make its figures optimistic); ties broken by fewer epochs to target, then by the
// order of the sweep. Only configurations with a finite loss are ranked. The same order picks
// the trial that stands for each data configuration (ChosenTrial).
struct Ranking {
  bool use_val = false;
  std::vector<BestRow> rows;        // the first few
  std::vector<ChosenTrial> chosen;  // one per data configuration, in the sweep's order
};

std::size_t metric_column(std::string_view name) {
  const auto* it = std::find(std::begin(kSummaryMetrics), std::end(kSummaryMetrics), name);
  return static_cast<std::size_t>(it - std::begin(kSummaryMetrics));
}

// One ChosenTrial per data configuration: the representative of the first ranked configuration
// on that data, in the order the data configurations first appear in the sweep.
std::vector<ChosenTrial> choose_trials(const std::vector<const Summary::Row*>& sweep_order,
                                       const std::vector<const Summary::Row*>& ranked,
                                       const std::vector<std::string>& keys,
                                       const ColumnRoles& columns, bool use_val) {
  std::vector<std::size_t> data_keys;
  std::optional<std::size_t> dataset_key;
  for (std::size_t k = 0; k < keys.size(); ++k)
    if (columns.data(keys[k])) {
      data_keys.push_back(k);
      if (keys[k] == columns.dataset) dataset_key = k;
    }
  const auto data_of = [&](const Summary::Row* r) {
    std::vector<std::string> values;
    for (std::size_t k : data_keys) values.push_back(r->values[k]);
    return values;
  };
  std::map<std::vector<std::string>, const Summary::Row*> first_ranked;
  for (const auto* r : ranked) {
    const auto& rep = use_val ? r->by_val : r->by_train;
    if (rep) first_ranked.try_emplace(data_of(r), r);
  }
  std::vector<ChosenTrial> chosen;
  std::set<std::vector<std::string>> seen;
  for (const auto* r : sweep_order) {
    auto data = data_of(r);
    if (!seen.insert(data).second) continue;
    const auto it = first_ranked.find(data);
    if (it == first_ranked.end()) continue;
    const auto* best = it->second;
    chosen.push_back(
        {.dataset = dataset_key ? best->values[*dataset_key] : std::string(),
         .trial = *(use_val ? best->by_val : best->by_train),
         .from = use_val ? WeightsFrom::lowest_val_loss : WeightsFrom::lowest_train_loss});
  }
  return chosen;
}

Ranking rank_configurations(const Summary& summary, const std::vector<std::string>& keys,
                            const ColumnRoles& columns, std::size_t count) {
  const std::size_t val = metric_column("best_val_loss"), train = metric_column("best_train_loss"),
                    epochs = metric_column("epochs_to_target"),
                    accuracy = metric_column("final_test_accuracy");
  const auto sweep_order = summary.rows();
  auto rows = sweep_order;
  Ranking ranking;
  ranking.use_val =
      std::any_of(rows.begin(), rows.end(), [&](const auto* r) { return r->metrics[val].n > 0; });
  const std::size_t by = ranking.use_val ? val : train;
  const auto score = [&](const Summary::Row* r) {
    return r->metrics[by].n > 0 ? r->metrics[by].mean : INFINITY;
  };
  const auto speed = [&](const Summary::Row* r) {
    return r->metrics[epochs].n > 0 ? r->metrics[epochs].mean : INFINITY;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const auto* a, const auto* b) {
    return score(a) != score(b) ? score(a) < score(b) : speed(a) < speed(b);
  });
  std::erase_if(rows, [&](const auto* r) { return !std::isfinite(score(r)); });
  ranking.chosen = choose_trials(sweep_order, rows, keys, columns, ranking.use_val);
  // Only the settings that differ between configurations say which one is meant.
  std::vector<bool> varies(keys.size(), false);
  for (const auto* r : sweep_order)
    for (std::size_t k = 0; k < keys.size(); ++k)
      varies[k] = varies[k] || r->values[k] != sweep_order.front()->values[k];
  for (std::size_t i = 0; i < std::min(count, rows.size()); ++i) {
    const auto* r = rows[i];
    BestRow row;
    for (std::size_t k = 0; k < keys.size(); ++k)
      if (varies[k]) row.params.emplace_back(keys[k], r->values[k]);
    row.score = score(r);
    const Interval ci = metric_interval(kSummaryMetrics[by], r->metrics[by]);
    row.score_low = ci.low, row.score_high = ci.high;
    if (i > 0) row.p_vs_best = welch_p_value(r->metrics[by], rows.front()->metrics[by]);
    row.epochs = r->metrics[epochs].n > 0 ? r->metrics[epochs].mean : NAN;
    row.accuracy = r->metrics[accuracy].n > 0 ? r->metrics[accuracy].mean : NAN;
    row.learned = r->counts[Outcome::learned];
    row.n = r->n();
    const auto& rep = ranking.use_val ? r->by_val : r->by_train;
    if (rep) row.trial_id = rep->id, row.epoch = rep->best_epoch;
    ranking.rows.push_back(std::move(row));
  }
  return ranking;
}

std::string ranking_by(const Ranking& ranking) {
  return ranking.use_val ? "mean best validation loss"
                         : "mean best training loss (no validation split: add "
                           "data.validation_fraction to choose on held-out data)";
}

std::string best_text(const Ranking& ranking) {
  std::string text = fmt::format("best configurations (by {}):\n", ranking_by(ranking));
  for (std::size_t i = 0; i < ranking.rows.size(); ++i) {
    const BestRow& r = ranking.rows[i];
    std::string params;
    for (const auto& [key, value] : r.params) params += fmt::format("{}={} ", key, value);
    text += fmt::format("  {}. {}loss {}", i + 1, params, loss_text(r.score));
    if (std::isfinite(r.score_low))
      text += fmt::format(" (95% CI {} to {})", loss_text(r.score_low), loss_text(r.score_high));
    text += fmt::format(", learned {}/{}", r.learned, r.n);
    if (std::isfinite(r.accuracy)) text += ", test accuracy " + accuracy_text(r.accuracy);
    if (std::isfinite(r.epochs)) text += ", epochs " + epochs_text(r.epochs);
    if (r.like_best())
      text += fmt::format(", not distinguishable from 1. with these repeats (Welch p {})",
                          p_value_text(r.p_vs_best));
    text += "\n";
  }
  if (!ranking.rows.empty())
    text += fmt::format(
        "  report.html's decision boundary and --save-models best use 1.'s best repeat: trial {} "
        "with its weights after epoch {} (its lowest {} loss)\n",
        ranking.rows.front().trial_id, ranking.rows.front().epoch,
        ranking.use_val ? "validation" : "training");
  return text;
}

}  // namespace

struct TablesBuilder::State {
  State(const PivotSpec& pivot, std::vector<std::string> k, ColumnRoles c)
      : keys(std::move(k)),
        columns(std::move(c)),
        summary(keys),
        table(pivot, keys),
        page(pivot, columns),
        importance(keys, columns) {}
  std::vector<std::string> keys;
  ColumnRoles columns;
  Summary summary;
  ConvergenceTable table;
  ReportPage page;
  Importance importance;
  OutcomeCounts counts;

  // What every page of these trials shows, final or live.
  ReportContext context(const Ranking& ranking, const TablesOptions& options) const {
    ReportContext c;
    c.sweep_name = options.sweep_name;
    c.table = &table;
    c.counts = counts;
    c.best_by = ranking_by(ranking);
    c.best = ranking.rows;
    c.interrupt = options.interrupt;
    c.threads = options.threads;
    return c;
  }
};

TablesBuilder::TablesBuilder(const PivotSpec& pivot, std::vector<std::string> keys,
                             ColumnRoles columns)
    : state_(std::make_unique<State>(pivot, std::move(keys), std::move(columns))) {}

TablesBuilder::~TablesBuilder() = default;

void TablesBuilder::add(const TrialRecord& r, KeptWeights kept, std::vector<CurveSample>* curve) {
  state_->summary.add(r);
  state_->table.add(r);
  state_->page.add(r, std::move(kept), curve);
  state_->importance.add(r);
  state_->counts.add(r.outcome);
}

Tables TablesBuilder::write(const fs::path& dir, bool colour, const TablesOptions& options,
                            FileBatch& files, const std::vector<std::string>* curve_order) {
  State& s = *state_;
  Tables tables;
  tables.counts = s.counts;
  tables.convergence_text = s.table.text(colour);
  if (const std::string why = s.table.reasons_text(kTerminalReasons); !why.empty())
    tables.convergence_text += "\n" + why;
  const Ranking ranking = rank_configurations(s.summary, s.keys, s.columns, 5);
  tables.best_text = best_text(ranking);
  const ImportanceTable importance = s.importance.table();
  tables.importance_text = importance_text(importance);

  ReportContext context = s.context(ranking, options);
  context.chosen = ranking.chosen;
  context.importance = &importance;
  context.boundary_trials = options.boundary_trials;

  // The page (curves.csv in order, then read back) and the tables are made side by side when
  // the run may use two threads. Every file is staged in one batch, which makes them durable
  // together and replaces them atomically.
  const auto write_page = [&] {
    poll_interrupt(options.interrupt);
    if (curve_order) sort_curves_file(dir, *curve_order);
    s.page.write(dir, context, files);
  };
  const auto write_table_files = [&] {
    if (!curve_order)
      for (const char* appended : {"trials.csv", "curves.csv"})
        if (fs::exists(fs::symlink_status(dir / appended))) files.also_sync(appended);
    poll_interrupt(options.interrupt);
    files.stage("summary.csv", [&](std::ostream& out) { s.summary.write_csv(out); });
    poll_interrupt(options.interrupt);
    files.stage("convergence.csv", s.table.csv());
    files.stage("convergence_cells.csv", s.table.cells_csv());
    files.stage("convergence.md", s.table.markdown());
    files.stage("importance.csv", importance_csv(importance));
  };
  if (options.threads > 1) {
    tbb::parallel_invoke(write_page, write_table_files);
  } else {
    write_table_files();  // first: the syncs it starts go on while the page is made
    write_page();
  }
  poll_interrupt(options.interrupt);
  for (const std::string& m : s.page.messages()) tables.best_text += "  " + m + "\n";
  return tables;
}

std::vector<std::string> put_in_trial_order(const fs::path& dir, bool rows_checked,
                                            const std::atomic<bool>* interrupt) {
  poll_interrupt(interrupt);
  sort_trials_file(dir, rows_checked);
  poll_interrupt(interrupt);
  std::vector<std::string> ids;
  const fs::path trials_path = dir / "trials.csv";
  std::ifstream in(trials_path, std::ios::binary);
  read_trials(in, trials_path.string(), [&](TrialRecord&& r) { ids.push_back(std::move(r.id)); });
  poll_interrupt(interrupt);
  sort_curves_file(dir, ids);
  return ids;
}

Tables write_tables(const fs::path& dir, const PivotSpec& pivot, bool colour,
                    const TablesOptions& options, FileBatch& files) {
  const fs::path trials_path = dir / "trials.csv";
  poll_interrupt(options.interrupt);
  sort_trials_file(dir, options.rows_checked);
  poll_interrupt(options.interrupt);
  std::vector<std::string> ids;  // in trial order, for curves.csv
  std::ifstream in(trials_path, std::ios::binary);
  // Made from the header's columns; an empty file has none.
  std::optional<TablesBuilder> builder;
  const auto make = [&](const std::vector<std::string>& keys) {
    builder.emplace(pivot, keys, options.columns);
  };
  read_trials(
      in, trials_path.string(),
      [&](TrialRecord&& r) {
        if ((ids.size() & 0x3ff) == 0) poll_interrupt(options.interrupt);
        ids.push_back(r.id);
        builder->add(r);
      },
      make);
  if (!builder) make({});
  return builder->write(dir, colour, options, files, &ids);
}

std::string TablesBuilder::live_page(const fs::path& dir, const TablesOptions& options,
                                     LiveStatus live, bool curves) {
  State& s = *state_;
  const Ranking ranking = rank_configurations(s.summary, s.keys, s.columns, 5);
  live.counts = s.counts;
  live.done = s.counts.total();
  ReportContext context = s.context(ranking, options);
  context.live = live;
  context.curves = curves;
  return s.page.html(dir, context);
}

std::string live_report_html(const fs::path& dir, const PivotSpec& pivot,
                             const TablesOptions& options, const LiveStatus& live,
                             std::uint64_t max_curves_bytes) {
  const fs::path trials_path = dir / "trials.csv";
  std::ifstream in(trials_path, std::ios::binary);
  std::optional<TablesBuilder> builder;
  const auto make = [&](const std::vector<std::string>& keys) {
    builder.emplace(pivot, keys, options.columns);
  };
  std::vector<bool> seen;  // by trial index
  read_trials(
      in, trials_path.string(),
      [&](TrialRecord&& r) {
        if ((r.index & 0x3ff) == 0) poll_interrupt(options.interrupt);
        if (r.index >= seen.size()) seen.resize(r.index + 1);
        if (seen[r.index]) return;
        seen[r.index] = true;
        builder->add(r);
      },
      make);
  if (!builder) make({});
  std::error_code missing;
  const std::uintmax_t curves_bytes = fs::file_size(dir / "curves.csv", missing);
  return builder->live_page(dir, options, live, missing || curves_bytes <= max_curves_bytes);
}

}  // namespace results
