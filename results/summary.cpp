#include "results/summary.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace results {

void RunningStats::add(double x) {
  // Welford: mean_n = mean_{n-1} + (x - mean_{n-1}) / n;  m2 += (x - mean_{n-1}) (x - mean_n)
  ++n;
  const double delta = x - mean;
  mean += delta / static_cast<double>(n);
  m2 += delta * (x - mean);
  min = n == 1 ? x : std::min(min, x);
  max = n == 1 ? x : std::max(max, x);
}

double RunningStats::sample_std() const {
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  return std::sqrt(m2 / static_cast<double>(n - 1));
}

double Summary::Row::success_rate() const {
  if (counts.ran() == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(counts[Outcome::learned]) / static_cast<double>(counts.ran());
}

namespace {

void consider(std::optional<Representative>& current, const TrialRecord& r, double loss) {
  if (!std::isfinite(loss)) return;
  if (current && (current->loss < loss || (current->loss == loss && current->index < r.index)))
    return;
  current = Representative{
      r.index,         r.id, loss, r.best.epoch, r.epochs_run, r.outcome, r.best.test_accuracy,
      r.best.test_loss};
}

}  // namespace

Summary::Summary(std::vector<std::string> param_keys) : param_keys_(std::move(param_keys)) {}

void Summary::add(const TrialRecord& record) {
  std::vector<std::string> values;
  values.reserve(record.params.size());
  for (const auto& [key, value] : record.params) values.push_back(value);
  auto [it, inserted] = rows_.try_emplace(std::move(values));
  Row& row = it->second;
  if (inserted) {
    row.first_index = record.index;
    row.values = it->first;
    row.metrics.resize(std::size(kSummaryMetrics));
  }
  row.first_index = std::min(row.first_index, record.index);
  row.counts.add(record.outcome);
  for (std::size_t i = 0; i < std::size(kSummaryMetrics); ++i) {
    const double value = *trial_metric(record, kSummaryMetrics[i]);
    if (std::isfinite(value)) row.metrics[i].add(value);
  }
  consider(row.by_val, record, record.best.val_loss);
  consider(row.by_train, record, record.best.train_loss);
}

std::vector<const Summary::Row*> Summary::rows() const {
  std::vector<const Row*> sorted;
  sorted.reserve(rows_.size());
  for (const auto& [values, row] : rows_) sorted.push_back(&row);
  std::sort(sorted.begin(), sorted.end(),
            [](const Row* a, const Row* b) { return a->first_index < b->first_index; });
  return sorted;
}

std::vector<std::string> Summary::header() const {
  std::vector<std::string> header = param_keys_;
  header.emplace_back("n");
  for (std::string_view name : nn::kOutcomeNames) header.emplace_back(name);
  header.emplace_back("success_rate");
  for (auto metric : kSummaryMetrics)
    for (const char* stat : {"_n", "_mean", "_std", "_min", "_max"})
      header.push_back(std::string(metric) + stat);
  return header;
}

void Summary::write_csv(std::ostream& out) const {
  out << format_row(header());
  std::string line;
  for (const Row* row : rows()) {
    line.clear();
    for (const auto& value : row->values) {
      append_field(line, value);
      line += ',';
    }
    append_unsigned(line, row->n());
    line += ',';
    for (std::uint64_t count : row->counts.n) {
      append_unsigned(line, count);
      line += ',';
    }
    append_number(line, row->success_rate());
    for (const RunningStats& stats : row->metrics) {
      line += ',';
      append_unsigned(line, stats.n);
      const bool any = stats.n > 0;
      constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
      for (double value : {any ? stats.mean : kNaN, stats.sample_std(), any ? stats.min : kNaN,
                           any ? stats.max : kNaN}) {
        line += ',';
        append_number(line, value);
      }
    }
    line += '\n';
    out << line;
  }
}

}  // namespace results
