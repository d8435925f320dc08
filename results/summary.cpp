#include "results/summary.h"

#include <boost/math/distributions/students_t.hpp>

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

Interval mean_interval(const RunningStats& stats, double level) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (stats.n < 2) return {kNaN, kNaN};
  const double n = static_cast<double>(stats.n);
  const boost::math::students_t t(n - 1);
  const double half = boost::math::quantile(t, 0.5 + level / 2) * stats.sample_std() / std::sqrt(n);
  return {stats.mean - half, stats.mean + half};
}

Interval metric_interval(std::string_view metric, const RunningStats& stats) {
  Interval ci = mean_interval(stats);
  if (stats.n < 2) return ci;
  ci.low = std::max(ci.low, 0.0);
  if (metric.find("accuracy") != std::string_view::npos ||
      metric.find("macro_f1") != std::string_view::npos)
    ci.high = std::min(ci.high, 1.0);
  return ci;
}

double welch_p_value(const RunningStats& a, const RunningStats& b) {
  if (a.n < 2 || b.n < 2) return std::numeric_limits<double>::quiet_NaN();
  const double na = static_cast<double>(a.n), nb = static_cast<double>(b.n);
  const double va = a.m2 / (na - 1) / na, vb = b.m2 / (nb - 1) / nb;  // squared standard errors
  if (va + vb == 0) return a.mean == b.mean ? 1.0 : 0.0;
  const double t = (a.mean - b.mean) / std::sqrt(va + vb);
  const double df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
  return 2 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), std::fabs(t)));
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
  // A pruned trial's metrics are those of a shorter training: counted, never averaged or ranked.
  if (record.outcome == Outcome::pruned) return;
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
    for (const char* stat : {"_n", "_mean", "_std", "_min", "_max", "_ci95_low", "_ci95_high"})
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
    for (std::size_t m = 0; m < row->metrics.size(); ++m) {
      const RunningStats& stats = row->metrics[m];
      line += ',';
      append_unsigned(line, stats.n);
      const bool any = stats.n > 0;
      constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
      const Interval ci = metric_interval(kSummaryMetrics[m], stats);
      for (double value : {any ? stats.mean : kNaN, stats.sample_std(), any ? stats.min : kNaN,
                           any ? stats.max : kNaN, ci.low, ci.high}) {
        line += ',';
        append_number(line, value);
      }
    }
    line += '\n';
    out << line;
  }
}

}  // namespace results
