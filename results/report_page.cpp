#include "results/report_page.h"

#include <fmt/format.h>
#include <tbb/parallel_invoke.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>

#include "nn/dataset.h"
#include "nn/predict.h"
#include "results/atomic_file.h"
#include "results/csv.h"
#include "results/curve_bands.h"
#include "results/interrupt.h"
#include "results/metric_text.h"
#include "results/playground_link.h"

namespace results {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxPoints = 2000;  // data points drawn per boundary
constexpr int kBandRows = 10;             // rows of the boundary grid evaluated at once
constexpr int kNeuronResolution = 20;     // a hidden neuron's tile
constexpr int kFrameResolution = 50;      // the boundary at an earlier epoch

int position(std::vector<std::string>& seen, std::unordered_map<std::string, int>& index,
             const std::string& value) {
  const auto [it, added] = index.emplace(value, static_cast<int>(seen.size()));
  if (added) seen.push_back(value);
  return it->second;
}

}  // namespace

ReportPage::ReportPage(PivotSpec pivot, ColumnRoles columns)
    : pivot_(std::move(pivot)), columns_(std::move(columns)) {}

void ReportPage::hold_curve(const std::string& trial_id, std::vector<CurveSample>* curve) {
  if (!curve || held_rows_ + curve->size() > kMaxHeldSamples) {
    held_complete_ = false;
    held_ = {};
  }
  if (!held_complete_) return;
  held_any_ = true;
  if (curve->empty()) return;
  held_rows_ += curve->size();
  held_.emplace_back(trial_id, std::move(*curve));
}

void ReportPage::add(const TrialRecord& r, KeptWeights kept, std::vector<CurveSample>* curve) {
  hold_curve(r.id, curve);
  if (!keys_known_) {
    keys_known_ = true;
    for (std::size_t k = 0; k < r.params.size(); ++k) {
      keys_.push_back(r.params[k].first);
      first_values_.push_back(r.params[k].second);
      if (r.params[k].first == pivot_.rows) row_key_ = k;
      if (r.params[k].first == pivot_.cols) col_key_ = k;
    }
    varies_.assign(keys_.size(), false);
  }
  for (std::size_t k = 0; k < r.params.size() && k < keys_.size(); ++k)
    if (r.params[k].second != first_values_[k]) varies_[k] = true;
  if (r.rung) {
    RungStop& stop = rungs_[*r.rung];
    stop.rung = *r.rung;
    stop.epochs = std::max(stop.epochs, r.epochs_run);
    ++(r.outcome == Outcome::pruned ? stop.pruned : stop.other);
  }
  if (r.outcome == Outcome::error || r.outcome == Outcome::pruned) return;

  Trial t;
  t.id = r.id;
  t.row = position(rows_seen_, row_of_, r.params[row_key_].second);
  t.col = position(cols_seen_, col_of_, r.params[col_key_].second);
  if (r.outcome == Outcome::diverged) t.diverged_at = r.epochs_run;
  max_epoch_ = std::max(max_epoch_, r.epochs_run);
  trials_.push_back(std::move(t));

  best_.add(r, std::move(kept));
}

// "dataset, data.key=value" over the data settings that vary, and "key=value " over the others.
std::pair<std::string, std::string> ReportPage::title_and_settings(
    const BoundaryTrial& trial, const std::string& dataset) const {
  std::string title = dataset, settings;
  for (std::size_t k = 0; k < keys_.size(); ++k)
    if (varies_[k] && !columns_.data(keys_[k]))
      for (const auto& [key, value] : trial.params)
        if (key == keys_[k]) settings += fmt::format("{}={} ", key, value);
  for (std::size_t k = 0; k < keys_.size(); ++k)
    if (varies_[k] && columns_.data(keys_[k]) && keys_[k] != columns_.dataset)
      for (const auto& [key, value] : trial.params)
        if (key == keys_[k]) title += fmt::format(", {}={}", key.substr(key.find('.') + 1), value);
  return {title, settings};
}

namespace {

// The network's output at the centre of each cell of the grid, top row first, a band of rows at
// a time: the arrays of the whole grid took a few hundred kilobytes of fresh memory, whose first
// touch cost more than the network's work.
std::vector<double> evaluate_grid(const ModelFile& model, const std::vector<double>& parameters,
                                  int n, double extent) {
  const nn::Mlp mlp = model.mlp();
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(n) * n);
  Eigen::MatrixXd xy(2, kBandRows * n);
  for (int r0 = 0; r0 < n; r0 += kBandRows) {
    const int rows = std::min(kBandRows, n - r0);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < n; ++c)
        xy.col(r * n + c) << -extent + (c + 0.5) * 2 * extent / n,
            extent - (r0 + r + 0.5) * 2 * extent / n;
    const Eigen::MatrixXd y =
        nn::predict(mlp, parameters, model.network_input(xy.leftCols(rows * n)));
    values.insert(values.end(), y.row(0).begin(), y.row(0).end());
  }
  return values;
}

// What Playground shows beside the boundary: every hidden neuron's output, the boundary at a
// few epochs of the training, and a link that carries the settings.
void add_playground_views(const BoundaryTrial& trial, Boundary& b) {
  const ModelFile& model = trial.model;
  if (model.builtin) {
    const nn::NeuronOutputs outputs = nn::neuron_outputs(
        model.mlp(), model.parameters, model.features, kNeuronResolution, b.extent);
    for (std::size_t l = 0; l + 1 < outputs.layers.size(); ++l) {
      b.neurons.emplace_back();
      for (const auto& unit : outputs.layers[l])
        b.neurons.back().push_back({.resolution = kNeuronResolution, .values = unit});
    }
  }
  for (const auto& [epoch, parameters] : trial.snapshots)
    b.frames.push_back(
        {.epoch = epoch,
         .output = {.resolution = kFrameResolution,
                    .values = evaluate_grid(model, parameters, kFrameResolution, b.extent)}});
  const PlaygroundLink link = playground_link(trial.params);
  b.playground_url = link.url;
  b.playground_reason = link.reason;
  b.playground_differences = link.differences;
}

void add_points(const nn::Dataset& data, Boundary& b) {
  for (const auto* split : {&data.train, &data.validation, &data.test})
    for (Eigen::Index j = 0; j < split->size() && b.points.size() < kMaxPoints; ++j)
      b.points.push_back({.x1 = split->x(0, j),
                          .x2 = split->x(1, j),
                          .value = split->y(0, j),
                          .test = split == &data.test});
}

bool drawable(const ChosenTrial& chosen) {
  // A csv dataset's inputs are not the 2-D square: its best model is saved, not drawn.
  return chosen.dataset != nn::to_string(nn::DatasetKind::csv);
}

}  // namespace

Boundary ReportPage::boundary(const ChosenTrial& chosen, const BoundaryTrial& trial) {
  const Representative& best = chosen.trial;
  Boundary b;
  b.regression = trial.model.task == nn::Task::regression;
  b.resolution = kResolution;
  std::string settings;
  std::tie(b.title, settings) = title_and_settings(trial, chosen.dataset);
  const char* lowest = chosen.from == WeightsFrom::lowest_val_loss ? "validation" : "training";
  b.caption = fmt::format("{}\u2014 trial {} after epoch {} (its lowest {} loss): ", settings,
                          best.id, best.best_epoch, lowest);
  if (trial.trained_again)
    messages_.push_back(fmt::format(
        "({} of {}: trained again to epoch {}; training is deterministic, so these are the "
        "weights the sweep had then)",
        best.id, chosen.dataset, best.best_epoch));
  if (std::isfinite(best.test_accuracy))
    b.caption += "test accuracy " + accuracy_text(best.test_accuracy) + ", ";
  b.caption += "test loss " + loss_text(best.test_loss);
  b.values = evaluate_grid(trial.model, trial.model.parameters, b.resolution, b.extent);
  add_points(trial.data, b);
  add_playground_views(trial, b);
  return b;
}

std::vector<Boundary> ReportPage::boundaries(const ReportContext& context,
                                             std::vector<std::string>& notes) {
  std::vector<Boundary> out;
  if (!context.boundary_trials) return out;
  BoundaryTrials& source = *context.boundary_trials;
  const TrainedModels at_hand = best_.models();
  for (const ChosenTrial& chosen : context.chosen) {
    poll_interrupt(context.interrupt);
    const bool draw = drawable(chosen) && static_cast<int>(out.size()) < kMaxBoundaries;
    if (!draw && !source.saves_models()) continue;
    try {
      const auto kept = at_hand.find(chosen.trial.id);
      if (const auto trial =
              source.trial(chosen, kept == at_hand.end() ? nullptr : &kept->second, draw))
        out.push_back(boundary(chosen, *trial));
    } catch (const std::exception& e) {
      notes.push_back(fmt::format("No decision boundary for {}: {}", chosen.dataset, e.what()));
    }
  }
  if (std::count_if(context.chosen.begin(), context.chosen.end(), drawable) > kMaxBoundaries)
    notes.push_back(fmt::format("Decision boundaries are drawn for the first {} datasets only.",
                                kMaxBoundaries));
  return out;
}

void ReportPage::write(const fs::path& dir, const ReportContext& context, FileBatch& files) {
  files.stage("report.html", html(dir, context));
}

std::string ReportPage::html(const fs::path& dir, const ReportContext& context) {
  ReportData data;
  data.sweep_name = context.sweep_name;
  data.pivot = pivot_;
  data.counts = context.counts;
  data.table = context.table;
  data.best_by = context.best_by;
  data.best = context.best;
  data.importance = context.importance;
  data.live = context.live;
  for (const auto& [rung, stop] : rungs_) data.rungs.push_back(stop);

  // Panels and lines in the table's display order, capped to keep the page small.
  std::vector<std::string> rows = context.table ? context.table->row_values() : rows_seen_;
  std::vector<std::string> cols = context.table ? context.table->col_values() : cols_seen_;
  std::erase_if(rows, [&](const auto& v) { return !row_of_.contains(v); });
  std::erase_if(cols, [&](const auto& v) { return !col_of_.contains(v); });
  if (static_cast<int>(rows.size()) > kMaxPanels) {
    data.notes.push_back(fmt::format("Loss curves: {} of the {} values of {} are drawn.",
                                     kMaxPanels, rows.size(), pivot_.rows));
    rows.resize(kMaxPanels);
  }
  if (static_cast<int>(cols.size()) > kMaxLines) {
    data.notes.push_back(fmt::format("Loss curves: {} of the {} values of {} are drawn.", kMaxLines,
                                     cols.size(), pivot_.cols));
    cols.resize(kMaxLines);
  }
  if (!context.curves)
    data.notes.push_back(
        "Loss curves: drawn when the run ends (curves.csv is too large to read "
        "while it goes).");
  // The curves and the boundaries are independent and each a good part of the page's time.
  const auto curves = [&] {
    if (context.curves) add_curves(dir / "curves.csv", context, rows, cols, data);
  };
  std::vector<std::string> boundary_notes;
  const auto draw = [&] {
    poll_interrupt(context.interrupt);
    data.boundaries = boundaries(context, boundary_notes);
  };
  if (context.threads > 1) {
    tbb::parallel_invoke(curves, draw);
  } else {
    curves();
    draw();
  }
  data.notes.insert(data.notes.end(), boundary_notes.begin(), boundary_notes.end());
  poll_interrupt(context.interrupt);
  return report_html(data);
}

CurveBands ReportPage::empty_bands(const std::vector<std::string>& rows,
                                   const std::vector<std::string>& cols) const {
  std::vector<int> panel_of(rows_seen_.size(), -1), line_of(cols_seen_.size(), -1);
  for (std::size_t p = 0; p < rows.size(); ++p)
    panel_of[static_cast<std::size_t>(row_of_.at(rows[p]))] = static_cast<int>(p);
  for (std::size_t l = 0; l < cols.size(); ++l)
    line_of[static_cast<std::size_t>(col_of_.at(cols[l]))] = static_cast<int>(l);
  CurveBands bands(static_cast<int>(rows.size()), static_cast<int>(cols.size()), max_epoch_);
  for (const Trial& t : trials_)
    bands.add_trial(t.id, panel_of[static_cast<std::size_t>(t.row)],
                    line_of[static_cast<std::size_t>(t.col)],
                    t.diverged_at >= 0 ? std::optional<int>(t.diverged_at) : std::nullopt);
  return bands;
}

void ReportPage::add_curves(const fs::path& curves_path, const ReportContext& context,
                            const std::vector<std::string>& rows,
                            const std::vector<std::string>& cols, ReportData& data) const {
  if (rows.empty() || cols.empty()) return;
  // Made at the first row: a sweep with `curves: off` has none, and its page says so instead
  // of drawing empty panels.
  std::optional<CurveBands> bands;
  if (held_any_ && held_complete_) {
    for (const auto& [trial_id, curve] : held_) {
      if (!bands) bands.emplace(empty_bands(rows, cols));
      poll_interrupt(context.interrupt);
      bands->add(trial_id, curve);
    }
  } else {
    std::ifstream in{curves_path, std::ios::binary};
    if (!in) return;
    std::uint64_t points = 0;
    const auto add = [&](CurvePoint&& p) {
      if (!bands) bands.emplace(empty_bands(rows, cols));
      if ((++points & 0xfff) == 0) poll_interrupt(context.interrupt);
      bands->add(p);
    };
    if (!read_curves(in, curves_path.string(), add)) return;
  }
  if (bands) {
    data.panels = bands->panels(rows, cols);
    data.curve_step = bands->step();
  }
}

}  // namespace results
