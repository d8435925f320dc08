#include "runner/tables.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <fstream>

#include "nn/input_error.h"
#include "results/atomic_file.h"
#include "results/csv.h"
#include "results/curves.h"
#include "results/summary.h"

namespace runner {
namespace {

namespace fs = std::filesystem;

void sort_trials_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw nn::InputError(path.string(), 0, 0, "cannot open trials.csv");
  results::replace_file(path,
                        [&](std::ostream& out) { results::sort_trials(in, out, path.string()); });
}

void sort_curves_file(const fs::path& path, const std::vector<std::string>& ids) {
  if (!fs::exists(path)) return;
  std::ifstream in(path, std::ios::binary);
  results::replace_file(
      path, [&](std::ostream& out) { results::sort_curves(in, out, ids, path.string()); });
}

// The configurations with the lowest selection loss: mean best validation loss when the sweep
// has a validation split, otherwise mean final test loss; ties broken by fewer epochs to converge.
std::string best_configurations(const results::Summary& summary,
                                const std::vector<std::string>& keys, std::size_t count) {
  const auto metric = [](std::string_view name) {
    const auto* it =
        std::find(std::begin(results::kSummaryMetrics), std::end(results::kSummaryMetrics), name);
    return static_cast<std::size_t>(it - std::begin(results::kSummaryMetrics));
  };
  const std::size_t val = metric("best_val_loss"), test = metric("final_test_loss"),
                    epochs = metric("epochs_to_converge"), accuracy = metric("final_test_accuracy");
  auto rows = summary.rows();
  const bool use_val =
      std::any_of(rows.begin(), rows.end(), [&](const auto* r) { return r->metrics[val].n > 0; });
  const std::size_t by = use_val ? val : test;
  const auto score = [&](const results::Summary::Row* r) {
    return r->metrics[by].n > 0 ? r->metrics[by].mean : INFINITY;
  };
  const auto speed = [&](const results::Summary::Row* r) {
    return r->metrics[epochs].n > 0 ? r->metrics[epochs].mean : INFINITY;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const auto* a, const auto* b) {
    return score(a) != score(b) ? score(a) < score(b) : speed(a) < speed(b);
  });
  // Only the settings that differ between configurations say which one is meant.
  std::vector<bool> varies(keys.size(), false);
  for (const auto* r : rows)
    for (std::size_t k = 0; k < keys.size(); ++k)
      varies[k] = varies[k] || r->values[k] != rows.front()->values[k];
  std::string text = fmt::format("best configurations (by mean {}):\n",
                                 use_val ? "best validation loss" : "final test loss");
  for (std::size_t i = 0; i < std::min(count, rows.size()); ++i) {
    const auto* r = rows[i];
    if (!std::isfinite(score(r))) break;
    std::string params;
    for (std::size_t k = 0; k < keys.size(); ++k)
      if (varies[k]) params += fmt::format("{}={} ", keys[k], r->values[k]);
    text += fmt::format("  {}. {}loss {:.4g}, converged {}/{}", i + 1, params, score(r),
                        r->counts.converged, r->n());
    if (r->metrics[accuracy].n > 0)
      text += fmt::format(", test accuracy {:.3f}", r->metrics[accuracy].mean);
    if (r->metrics[epochs].n > 0) text += fmt::format(", epochs {:.0f}", r->metrics[epochs].mean);
    text += "\n";
  }
  return text;
}

}  // namespace

Tables write_tables(const fs::path& dir, const results::PivotSpec& pivot, bool colour) {
  const fs::path trials_path = dir / "trials.csv";
  sort_trials_file(trials_path);
  std::vector<std::string> ids;  // in trial order, for curves.csv
  std::ifstream in(trials_path, std::ios::binary);
  std::vector<std::string> keys;
  std::optional<results::Summary> summary;
  std::optional<results::ConvergenceTable> table;
  Tables tables;
  // The header arrives before the first row; build the aggregates from it lazily.
  const results::TrialsFileInfo info =
      results::read_trials(in, trials_path.string(), [&](results::TrialRecord&& r) {
        if (!summary) {
          for (const auto& [key, value] : r.params) keys.push_back(key);
          summary.emplace(keys);
          table.emplace(pivot, keys);
        }
        ids.push_back(r.id);
        summary->add(r);
        table->add(r);
        tables.counts.add(r.status);
      });
  if (!summary) {
    keys = info.param_keys;
    summary.emplace(keys);
    table.emplace(pivot, keys);
  }
  sort_curves_file(dir / "curves.csv", ids);
  results::replace_file(dir / "summary.csv", [&](std::ostream& out) { summary->write_csv(out); });
  results::replace_file(dir / "convergence.csv", table->csv());
  results::replace_file(dir / "convergence_cells.csv", table->cells_csv());
  results::replace_file(dir / "convergence.md", table->markdown());
  tables.convergence_text = table->text(colour);
  tables.best_text = best_configurations(*summary, keys, 5);
  return tables;
}

}  // namespace runner
