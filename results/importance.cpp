#include "results/importance.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include "nn/input_error.h"
#include "results/csv.h"
#include "results/metric_text.h"

namespace results {
namespace {

constexpr int kBins = 5;  // quintiles of a sampled setting
// Without the sweep, a numeric column with more distinct values than this is taken as sampled:
// grid axes of more than a dozen values are rare, a random search's samples are all distinct.
constexpr std::size_t kMaxGridValues = 12;
constexpr const char* kRepeat = "repeat";
constexpr const char* kFold = "fold";

std::optional<double> number(const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

// The metrics one may analyse: every numeric trials.csv column, and the ranking's.
std::string metric_choices() {
  std::string list(kRankingMetric);
  for (const std::string& m : trial_metric_names()) list += ", " + m;
  return list;
}

// Level indices of a column: its distinct values as they are (a grid axis), or their quintiles
// (a sampled setting); nothing when it is not numeric and would need bins.
std::optional<std::vector<int>> quintiles(const std::vector<std::string>& values,
                                          const std::vector<int>& codes) {
  std::vector<double> numbers;
  numbers.reserve(codes.size());
  for (int c : codes) {
    const auto v = number(values[static_cast<std::size_t>(c)]);
    if (!v) return std::nullopt;
    numbers.push_back(*v);
  }
  return quantile_levels(numbers, kBins).level;
}

// Columns a string takes on a terminal: its code points (labels hold "×", bars "█").
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

std::string ImportanceTable::label(const AnovaTerm& term) {
  if (term.factors.empty()) return "residual (noise)";
  if (term.name == kRepeat) return "repeat (seed draw)";
  if (term.name == kFold) return "fold (data split)";
  std::string text = term.name;
  for (std::size_t at = text.find(':'); at != std::string::npos; at = text.find(':', at))
    text.replace(at, 1, " \u00d7 ");
  return text;
}

Importance::Importance(std::vector<std::string> keys, ColumnRoles roles, std::string metric)
    : keys_(std::move(keys)),
      roles_(std::move(roles)),
      metric_(std::move(metric)),
      values_(keys_.size()),
      code_of_(keys_.size()) {
  const auto& names = trial_metric_names();
  if (metric_ != kRankingMetric && std::find(names.begin(), names.end(), metric_) == names.end())
    throw std::invalid_argument(fmt::format("{} is not a metric; the metrics are: {}",
                                            nn::quote_input(metric_), metric_choices()));
}

void Importance::add(const TrialRecord& r) {
  Trial t;
  t.first_code = static_cast<std::uint32_t>(codes_.size());
  t.repeat = r.repeat;
  t.fold = r.fold.value_or(0);
  t.outcome = r.outcome;
  if (metric_ == kRankingMetric) {
    t.y = r.best.val_loss, t.y_train = r.best.train_loss;
    any_val_ = any_val_ || std::isfinite(r.best.val_loss);
  } else {
    t.y = *trial_metric(r, metric_);
  }
  for (std::size_t k = 0; k < keys_.size(); ++k) {
    // A random search has about one value per trial: looked up by hash, not by scanning.
    std::string value = k < r.params.size() ? r.params[k].second : std::string();
    const auto [it, added] =
        code_of_[k].try_emplace(value, static_cast<std::uint32_t>(values_[k].size()));
    if (added) values_[k].push_back(std::move(value));
    codes_.push_back(it->second);
  }
  trials_.push_back(t);
}

ImportanceTable Importance::table(bool require_axes) const {
  ImportanceTable out;
  out.metric = metric_ != kRankingMetric ? metric_ : any_val_ ? "best_val_loss" : "best_train_loss";
  out.estimator = "exact";
  const bool ranking_train = metric_ == kRankingMetric && !any_val_;
  AnovaData data;
  std::vector<std::size_t> rows;  // trials_ analysed: all but errors
  for (std::size_t i = 0; i < trials_.size(); ++i) {
    if (trials_[i].outcome == Outcome::error) {
      ++out.errors;
      continue;
    }
    rows.push_back(i);
    data.y.push_back(ranking_train ? trials_[i].y_train : trials_[i].y);
    data.pruned.push_back(trials_[i].outcome == Outcome::pruned);
    out.trials.push_back({.y = data.y.back(), .outcome = trials_[i].outcome});
  }
  for (std::size_t k = 0; k < keys_.size(); ++k) {
    std::vector<int> codes;
    codes.reserve(rows.size());
    for (std::size_t i : rows) codes.push_back(static_cast<int>(codes_[trials_[i].first_code + k]));
    const std::size_t distinct = values_[k].size();
    if (distinct < 2) continue;
    const bool sampled =
        roles_.is_sampled ? roles_.is_sampled(keys_[k]) : distinct > kMaxGridValues;
    chart_axis(k, rows, sampled, out);
    if (sampled)
      if (auto bins = quintiles(values_[k], codes)) {
        codes = std::move(*bins);
        out.binned.push_back(keys_[k]);
        out.estimator = "quantile_bins";
      }
    const int levels = codes.empty() ? 1 : *std::max_element(codes.begin(), codes.end()) + 1;
    data.factors.push_back({.name = keys_[k], .levels = std::max(levels, 1)});
    data.level.push_back(std::move(codes));
  }
  if (data.factors.empty() && require_axes)
    throw std::invalid_argument(
        "no setting varies across these trials, so there is nothing to rank by importance: "
        "importance needs a sweep with a grid or random axis");
  // The repeat and, cross-validated, the fold: blocks shared by every configuration.
  for (const auto& [name, member] : {std::pair{kRepeat, &Trial::repeat}, {kFold, &Trial::fold}}) {
    std::vector<int> block;
    for (std::size_t i : rows) block.push_back(trials_[i].*member);
    if (block.empty() || *std::max_element(block.begin(), block.end()) == 0 || data.factors.empty())
      continue;
    data.factors.push_back(
        {.name = name, .levels = *std::max_element(block.begin(), block.end()) + 1, .block = true});
    data.level.push_back(std::move(block));
  }
  out.anova = anova(data);
  return out;
}

void Importance::chart_axis(std::size_t k, const std::vector<std::size_t>& rows, bool sampled,
                            ImportanceTable& out) const {
  const std::vector<std::string>& values = values_[k];
  std::vector<double> numbers;
  for (const std::string& v : values)
    if (const auto n = number(v)) numbers.push_back(*n);
  const bool numeric = numbers.size() == values.size();
  ChartAxis axis{.key = keys_[k], .sampled = sampled && numeric};
  std::vector<double> position(values.size());
  if (numeric) {
    const auto [lo, hi] = std::minmax_element(numbers.begin(), numbers.end());
    axis.log_scale = *lo > 0 && *hi > 10 * *lo;
    const auto scaled = [&](double v) { return axis.log_scale ? std::log10(v) : v; };
    const double a = scaled(*lo), b = scaled(*hi);
    // A grid's values evenly spaced in their order (a rate grid reads as a log axis); a sampled
    // setting's where they fall.
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto i, auto j) { return numbers[i] < numbers[j]; });
    for (std::size_t r = 0; r < order.size(); ++r)
      position[order[r]] = axis.sampled ? (scaled(numbers[order[r]]) - a) / (b - a)
                                        : static_cast<double>(r) / (order.size() - 1);
    if (axis.sampled) {
      for (double e = std::ceil(a); axis.log_scale && e <= b; ++e)
        axis.ticks.emplace_back((e - a) / (b - a), fmt::format("{:g}", std::pow(10, e)));
      if (!axis.log_scale)
        for (double v : {*lo, (*lo + *hi) / 2, *hi})
          axis.ticks.emplace_back((v - a) / (b - a), fmt::format("{:.3g}", v));
    } else {
      for (std::size_t i : order) axis.ticks.emplace_back(position[i], values[i]);
    }
  } else {
    for (std::size_t i = 0; i < values.size(); ++i) {
      position[i] = static_cast<double>(i) / (values.size() - 1);
      axis.ticks.emplace_back(position[i], values[i].empty() ? "n/a" : values[i]);
    }
  }
  for (std::size_t r = 0; r < rows.size(); ++r)
    out.trials[r].x.push_back(
        static_cast<float>(position[codes_[trials_[rows[r]].first_code + k]]));
  out.axes.push_back(std::move(axis));
}

std::string importance_csv(const ImportanceTable& t) {
  std::string out =
      "metric,estimator,term,kind,df,sum_sq,mean_sq,f,p_value,share,trials_used,"
      "left_out_non_finite,left_out_pruned,left_out_error\n";
  for (const AnovaTerm& term : t.anova.terms) {
    const char* kind = term.factors.empty()                         ? "residual"
                       : term.name == kRepeat || term.name == kFold ? "block"
                       : term.factors.size() == 1                   ? "main"
                                                                    : "interaction";
    for (const std::string& field :
         {t.metric, t.estimator, term.factors.empty() ? std::string("residual") : term.name,
          std::string(kind)}) {
      append_field(out, field);
      out += ',';
    }
    append_number(out, term.df);
    for (double v : {term.sum_sq, term.mean_sq, term.f, term.p, term.share}) {
      out += ',';
      append_number(out, v);
    }
    for (std::size_t n : {t.anova.used, t.anova.non_finite, t.anova.pruned, t.errors}) {
      out += ',';
      append_number(out, static_cast<double>(n));
    }
    out += '\n';
  }
  return out;
}

std::string importance_text(const ImportanceTable& t) {
  std::string out = fmt::format(
      "importance of {} (analysis of variance, type II sums of squares{}; {} trials", t.metric,
      t.estimator == "exact" ? "" : "; sampled settings in quintiles", t.anova.used);
  const std::size_t left = t.anova.non_finite + t.anova.pruned + t.errors;
  if (left > 0)
    out += fmt::format(", {} left out: {} without a finite value, {} pruned, {} errors", left,
                       t.anova.non_finite, t.anova.pruned, t.errors);
  out += "):\n";
  std::vector<const AnovaTerm*> terms;
  std::size_t width = 4;
  for (const AnovaTerm& term : t.anova.terms) {
    terms.push_back(&term);
    width = std::max(width, display_width(ImportanceTable::label(term)));
  }
  std::stable_sort(terms.begin(), terms.end(), [](const AnovaTerm* a, const AnovaTerm* b) {
    const double sa = std::isfinite(a->share) ? a->share : -1;
    const double sb = std::isfinite(b->share) ? b->share : -1;
    return sa > sb;
  });
  out += fmt::format("  {:<{}}  {:>6}  {:<20}  {:>4}  {:>9}  {}\n", "term", width, "share", "",
                     "df", "F", "p");
  for (const AnovaTerm* term : terms) {
    const double share = std::isfinite(term->share) ? term->share : 0;
    const auto bar = static_cast<std::size_t>(std::lround(share * 20));
    std::string bars;
    for (std::size_t i = 0; i < bar; ++i) bars += "\u2588";
    out += fmt::format("  {:<{}}  {:>5.1f}%  {}{:<{}}  {:>4}  {:>9}  {}\n",
                       ImportanceTable::label(*term), width, share * 100, bars, "", 20 - bar,
                       term->df, std::isfinite(term->f) ? loss_text(term->f) : "",
                       std::isfinite(term->p) ? p_value_text(term->p) : "");
  }
  if (t.anova.terms.size() == 1) out += "  (no setting varies: all of the variance is noise)\n";
  return out;
}

}  // namespace results
