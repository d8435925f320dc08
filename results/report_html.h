// report.html: one self-contained page (inline SVG and CSS, no script, no network request of
// any kind; a Content-Security-Policy forbids them) with the counts by status, the loss curves
// as small multiples, the convergence table as a heatmap, the best configurations and the
// decision boundaries of the best trials (with, when given, their neurons, their output at
// earlier epochs and a link to TensorFlow Playground: followed when clicked, never fetched).
// It draws what it is given: the caller aggregates (see curve_bands.h) and computes the
// boundaries. Names are escaped; non-finite numbers are never written into coordinates.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "results/convergence_table.h"
#include "results/curve_bands.h"
#include "results/importance.h"
#include "results/trial_record.h"

namespace results {

struct BestRow {
  std::vector<std::pair<std::string, std::string>> params;  // the settings that tell rows apart
  double score = 0;                                         // the ranking loss (mean over repeats)
  double epochs = 0;    // median epochs_to_target; NaN when no trial reached the target
  double accuracy = 0;  // mean final test accuracy; NaN for regression (reported, never ranked)
  std::uint64_t learned = 0, n = 0;
  std::string trial_id;  // its best repeat (lowest ranking loss): the one boundaries draw
  int epoch = 0;         // that repeat's best epoch
  // The 95% confidence interval of `score` over the repeats; NaN with one repeat.
  double score_low = NAN, score_high = NAN;
  // Welch's t-test of this row's ranking loss against the first row's: its p-value (NaN for
  // the first row and with one repeat on either side). At 5% or more the repeats cannot tell
  // the two apart.
  double p_vs_best = NAN;
  bool like_best() const { return p_vs_best >= 0.05; }
};

// Values over the square [-extent, extent]^2 at the centres of resolution x resolution cells,
// row-major from the top row (x2 = +extent), x1 increasing.
struct Grid {
  int resolution = 0;
  std::vector<double> values;
};

// The network's output over the square [-extent, extent]^2 and the data on top of it; and,
// when given, what TensorFlow Playground shows beside it.
struct Boundary {
  std::string title;    // the dataset, e.g. "spiral"
  std::string caption;  // which trial, and how well it does
  bool regression = false;
  int resolution = 0;          // the grid is resolution x resolution
  double extent = 6;           // Playground's input square
  std::vector<double> values;  // row-major from the top row (x2 = +extent), x1 increasing;
                               // probability of class 1, or the regression value
  struct Point {
    double x1 = 0, x2 = 0, value = 0;  // value: 0/1 label or the regression target
    bool test = false;
  };
  std::vector<Point> points;

  // Optional: each hidden neuron's output over the square, layer by layer (neurons[l][u]: unit
  // u of hidden layer l + 1), coloured on Playground's scale from -1 to +1. The page draws the
  // first 8 neurons of the first 6 layers (Playground's largest network) and counts the rest.
  std::vector<std::vector<Grid>> neurons;
  // Optional: the output at earlier epochs of the same training, in increasing epoch order.
  struct Frame {
    int epoch = 0;
    Grid output;  // as `values`: probability of class 1, or the regression value
  };
  std::vector<Frame> frames;
  // Optional: a TensorFlow Playground link with the trial's settings (results/playground_link.h;
  // drawn only when it is a link into Playground), or, when it has none, why (playground_reason).
  std::string playground_url, playground_reason;
  std::vector<std::string> playground_differences;  // with the link: what Playground does otherwise
};

// Where a run that is still going stands: the page made during the run heads with it and asks
// the browser to load it again every `refresh_seconds`.
struct LiveStatus {
  std::uint64_t done = 0, total = 0;  // trials with a row so far, of the run's trials
  std::uint64_t done_before = 0;      // of `done`, those a resumed run found on disk
  OutcomeCounts counts;               // of the `done` trials
  double elapsed_seconds = 0;         // since this run started
  int refresh_seconds = 5;
  // At the rate of this run so far; nothing before its first trial.
  std::optional<double> eta_seconds() const;
};

// Successive halving: how many trials stopped at a rung (pruned there) and how many ran to its
// epochs as their last (the survivors of the last rung, or trials an error ended).
struct RungStop {
  int rung = 0;
  int epochs = 0;  // the rung's epochs (the most any trial of it ran)
  std::uint64_t pruned = 0, other = 0;
};

struct ReportData {
  std::string sweep_name;
  PivotSpec pivot;
  OutcomeCounts counts;
  std::vector<CurvePanel> panels;  // one per row value (capped), lines per column value
  int curve_step = 1;              // epochs between sampled points
  std::vector<std::string> notes;  // what was left out to keep the page small
  const ConvergenceTable* table = nullptr;
  std::string best_by;  // e.g. "mean best validation loss"
  std::vector<BestRow> best;
  const ImportanceTable* importance = nullptr;  // what matters; none: no section
  std::vector<Boundary> boundaries;
  std::optional<LiveStatus> live;  // set while the run goes: a refresh tag and a status line
  std::vector<RungStop> rungs;     // by rung; empty without successive halving
};

// `text` with & < > " ' replaced by entities: safe in element content and quoted attributes.
std::string escape_html(std::string_view text);

std::string report_html(const ReportData& data);

}  // namespace results
