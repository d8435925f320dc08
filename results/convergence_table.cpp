#include "results/convergence_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "results/metric_text.h"
#include "results/summary.h"

namespace results {

namespace {

constexpr std::string_view kSuccessRate = "success_rate";
constexpr std::string_view kOutcomeCell = "outcome";
constexpr std::string_view kReasonsTitle =
    "Cells that did not learn, and why (the first such trial of each):";

// ANSI colours of the outcomes, in the order of nn::Outcome.
constexpr std::array<const char*, kOutcomes> kAnsi = {"\033[32m", "\033[36m", "\033[33m",
                                                      "\033[35m", "\033[91m", "\033[34m",
                                                      "\033[31m", "\033[90m", "\033[37m"};

double median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

RunningStats stats_of(const std::vector<double>& values) {
  RunningStats stats;
  for (const double v : values) stats.add(v);
  return stats;
}

// The share learned among the trials that ran to the end, as text.
std::string learned_share(const OutcomeCounts& k) {
  return k.ran() == 0 ? "n/a" : percent_text(k[Outcome::learned], k.ran());
}

std::vector<std::string> display_order(const std::vector<std::string>& seen) {
  std::vector<std::pair<double, std::string>> numeric;
  for (const auto& value : seen) {
    auto number = parse_cell(value);
    if (value.empty() || !number) return seen;
    numeric.emplace_back(*number, value);
  }
  std::stable_sort(numeric.begin(), numeric.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> order;
  for (auto& [number, value] : numeric) order.push_back(std::move(value));
  return order;
}

std::size_t key_position(const std::vector<std::string>& keys, const std::string& key,
                         std::string_view role) {
  auto it = std::find(keys.begin(), keys.end(), key);
  if (it == keys.end())
    throw std::invalid_argument("report " + std::string(role) + ": '" + key +
                                "' is not a hyperparameter of this sweep");
  return static_cast<std::size_t>(it - keys.begin());
}

std::string escape_markdown(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

Outcome dominant(const OutcomeCounts& counts) {
  // Worst first: a tie between learned and diverged repeats is not shown as learned. Pruned
  // trials are counted apart: they decide only a cell that holds nothing else.
  constexpr Outcome kOrder[] = {Outcome::diverged,       Outcome::unstable, Outcome::overfit,
                                Outcome::error,          Outcome::stalled,  Outcome::underfit,
                                Outcome::still_learning, Outcome::learned};
  Outcome best = kOrder[0];
  for (Outcome o : kOrder)
    if (counts[o] > counts[best]) best = o;
  return counts[best] == 0 && counts[Outcome::pruned] > 0 ? Outcome::pruned : best;
}

bool is_cell_metric(std::string_view name) {
  if (name == kSuccessRate || name == kOutcomeCell) return true;
  const auto& metrics = trial_metric_names();
  return std::find(metrics.begin(), metrics.end(), name) != metrics.end();
}

double ConvergenceTable::Cell::value(std::string_view metric) const {
  if (metric == kSuccessRate || metric == kOutcomeCell)
    return counts.ran() == 0
               ? std::numeric_limits<double>::quiet_NaN()
               : static_cast<double>(counts[Outcome::learned]) / static_cast<double>(counts.ran());
  const RunningStats stats = stats_of(values);
  return stats.n == 0 ? std::numeric_limits<double>::quiet_NaN() : stats.mean;
}

Interval ConvergenceTable::Cell::interval(std::string_view metric) const {
  return metric_interval(metric, stats_of(values));
}

const std::string& ConvergenceTable::Cell::reason() const {
  return first_reason[static_cast<std::size_t>(dominant(counts))];
}

ConvergenceTable::ConvergenceTable(PivotSpec spec, const std::vector<std::string>& param_keys)
    : spec_(std::move(spec)) {
  row_param_ = key_position(param_keys, spec_.rows, "rows");
  col_param_ = key_position(param_keys, spec_.cols, "cols");
  if (!is_cell_metric(spec_.cell))
    throw std::invalid_argument("report cell: unknown metric '" + spec_.cell + "'");
}

void ConvergenceTable::add(const TrialRecord& record) {
  const std::string& row = record.params[row_param_].second;
  const std::string& col = record.params[col_param_].second;
  auto [it, inserted] = cells_.try_emplace({row, col});
  if (inserted) {
    if (rows_known_.insert(row).second) rows_seen_.push_back(row);
    if (cols_known_.insert(col).second) cols_seen_.push_back(col);
  }
  Cell& cell = it->second;
  if (cell.counts[record.outcome] == 0)
    cell.first_reason[static_cast<std::size_t>(record.outcome)] =
        record.outcome == Outcome::error ? record.error : record.outcome_reason;
  cell.counts.add(record.outcome);
  if (spec_.cell == kOutcomeCell) {
    if (record.outcome == Outcome::learned && record.epochs_to_target)
      cell.values.push_back(*record.epochs_to_target);
  } else if (spec_.cell != kSuccessRate) {
    const double value = *trial_metric(record, spec_.cell);
    if (std::isfinite(value)) cell.values.push_back(value);
  }
}

std::vector<std::string> ConvergenceTable::row_values() const {
  return display_order(rows_seen_);
}
std::vector<std::string> ConvergenceTable::col_values() const {
  return display_order(cols_seen_);
}

const ConvergenceTable::Cell* ConvergenceTable::cell(const std::string& row,
                                                     const std::string& col) const {
  auto it = cells_.find({row, col});
  return it == cells_.end() ? nullptr : &it->second;
}

bool ConvergenceTable::any_pruned() const {
  return std::any_of(cells_.begin(), cells_.end(),
                     [](const auto& c) { return c.second.counts[Outcome::pruned] > 0; });
}

std::string ConvergenceTable::csv() const {
  const auto cols = col_values();
  std::vector<std::string> header = {spec_.rows};
  header.insert(header.end(), cols.begin(), cols.end());
  std::string out = format_row(header);
  for (const auto& row : row_values()) {
    append_field(out, row);
    for (const auto& col : cols) {
      out += ',';
      if (const Cell* c = cell(row, col)) append_number(out, c->value(spec_.cell));
    }
    out += '\n';
  }
  return out;
}

std::string ConvergenceTable::cells_csv() const {
  std::vector<std::string> header = {spec_.rows, spec_.cols, "n"};
  for (std::string_view name : nn::kOutcomeNames) header.emplace_back(name);
  header.emplace_back(kSuccessRate);
  const bool outcome = spec_.cell == kOutcomeCell, metric = !outcome && spec_.cell != kSuccessRate;
  if (outcome) header.emplace_back("epochs_to_target_median");
  if (metric)
    for (const char* suffix : {"_mean", "_ci95_low", "_ci95_high"})
      header.push_back(spec_.cell + suffix);
  std::string out = format_row(header);
  const auto cols = col_values();
  for (const auto& row : row_values()) {
    for (const auto& col : cols) {
      const Cell* c = cell(row, col);
      if (!c) continue;
      append_field(out, row);
      out += ',';
      append_field(out, col);
      out += ',';
      append_unsigned(out, c->counts.total());
      for (std::uint64_t count : c->counts.n) {
        out += ',';
        append_unsigned(out, count);
      }
      out += ',';
      append_number(out, c->value(kSuccessRate));
      if (outcome) {
        out += ',';
        append_number(out, median(c->values));
      }
      if (metric) {
        const Interval ci = c->interval(spec_.cell);
        for (const double v : {c->value(spec_.cell), ci.low, ci.high}) {
          out += ',';
          append_number(out, v);
        }
      }
      out += '\n';
    }
  }
  return out;
}

std::string ConvergenceTable::display(const Cell* cell) const {
  if (!cell) return "";
  const OutcomeCounts& k = cell->counts;
  if (spec_.cell == kSuccessRate) return learned_share(k);
  if (spec_.cell == kOutcomeCell) {
    // Pruned trials are counted apart: the cell says what the trials that were not pruned did,
    // so a cell holding the winner does not read "pruned" because its neighbours were.
    const Outcome top = dominant(k);
    const std::uint64_t pruned = k[Outcome::pruned], rest = k.total() - pruned;
    if (top == Outcome::pruned) return fmt::format("pruned {}", percent_text(pruned, k.total()));
    std::string text = fmt::format("{} {}", nn::to_string(top), percent_text(k[top], rest));
    if (top == Outcome::learned && !cell->values.empty())
      text += fmt::format(", {} ep", epochs_text(median(cell->values)));
    if (pruned > 0) text += fmt::format(" +{} pruned", pruned);
    return text;
  }
  const double value = cell->value(spec_.cell);
  if (std::isnan(value)) return fmt::format("n/a (learned {})", learned_share(k));
  std::string text = metric_text(spec_.cell, value);
  if (const Interval ci = cell->interval(spec_.cell); std::isfinite(ci.low))
    text +=
        fmt::format(" [{}, {}]", metric_text(spec_.cell, ci.low), metric_text(spec_.cell, ci.high));
  return fmt::format("{} (learned {})", text, learned_share(k));
}

std::vector<std::vector<std::string>> ConvergenceTable::display_grid() const {
  const auto cols = col_values();
  std::vector<std::vector<std::string>> grid;
  grid.emplace_back();
  grid[0].push_back(spec_.rows + " \\ " + spec_.cols);
  grid[0].insert(grid[0].end(), cols.begin(), cols.end());
  for (const auto& row : row_values()) {
    std::vector<std::string> line = {row};
    for (const auto& col : cols) line.push_back(display(cell(row, col)));
    grid.push_back(std::move(line));
  }
  return grid;
}

namespace {

std::string caption(const PivotSpec& spec, bool pruned) {
  if (pruned && spec.cell == kOutcomeCell)
    return caption(spec, false) +
           " Trials that successive halving pruned are counted apart (+N pruned).";
  if (spec.cell == kSuccessRate)
    return "Cells: share of the trials that learned, among those that ran to the end.";
  if (spec.cell == kOutcomeCell)
    return "Cells: the outcome most of the cell's trials had and its share; for learned, the "
           "median epochs_to_target (ep) of the learned trials.";
  return "Cells: mean " + spec.cell +
         " over the trials where it is finite (repeats, folds and the other axes' values) and "
         "the 95% confidence interval of that mean in brackets (the share of trials that "
         "learned).";
}

}  // namespace

std::vector<ConvergenceTable::CellReason> ConvergenceTable::reasons() const {
  std::vector<CellReason> out;
  const auto cols = col_values();
  for (const auto& row : row_values())
    for (const auto& col : cols)
      if (const Cell* c = cell(row, col)) {
        const Outcome top = dominant(c->counts);
        if (top != Outcome::learned && !c->reason().empty())
          out.push_back({.row = row, .col = col, .outcome = top, .reason = c->reason()});
      }
  return out;
}

std::string ConvergenceTable::reasons_text(std::size_t limit) const {
  const auto all = reasons();
  if (all.empty()) return "";
  std::string out = fmt::format("{}\n", kReasonsTitle);
  for (std::size_t i = 0; i < std::min(limit, all.size()); ++i)
    out += fmt::format("  {}={}, {}={}: {}: {}\n", spec_.rows, all[i].row, spec_.cols, all[i].col,
                       nn::to_string(all[i].outcome), all[i].reason);
  if (all.size() > limit)
    out += fmt::format("  ... and {} more (convergence.md, report.html)\n", all.size() - limit);
  return out;
}

std::string ConvergenceTable::markdown() const {
  const auto grid = display_grid();
  std::string out;
  for (std::size_t r = 0; r < grid.size(); ++r) {
    out += '|';
    for (const auto& text : grid[r]) {
      out += ' ';
      out += escape_markdown(text);
      out += " |";
    }
    out += '\n';
    if (r == 0) {
      out += "|---|";
      for (std::size_t c = 1; c < grid[0].size(); ++c) out += "--:|";
      out += '\n';
    }
  }
  out += '\n';
  out += caption(spec_, any_pruned());
  out += '\n';
  if (const auto why = reasons(); !why.empty()) {
    out += fmt::format("\n{}\n\n", kReasonsTitle);
    for (const CellReason& r : why)
      out += escape_markdown(fmt::format("- {}={}, {}={}: **{}**: {}\n", spec_.rows, r.row,
                                         spec_.cols, r.col, nn::to_string(r.outcome), r.reason));
  }
  return out;
}

std::string ConvergenceTable::text(bool colour) const {
  const auto grid = display_grid();
  std::vector<std::size_t> widths(grid[0].size(), 0);
  for (const auto& line : grid)
    for (std::size_t c = 0; c < line.size(); ++c) widths[c] = std::max(widths[c], line[c].size());

  const auto rows = row_values();
  const auto cols = col_values();
  std::string out;
  for (std::size_t r = 0; r < grid.size(); ++r) {
    for (std::size_t c = 0; c < grid[r].size(); ++c) {
      const std::string& text = grid[r][c];
      if (c > 0) out += "  ";
      // Pad first, then colour, so escape codes never count towards the width.
      std::string padded =
          c == 0 ? fmt::format("{:<{}}", text, widths[c]) : fmt::format("{:>{}}", text, widths[c]);
      const Cell* at = r > 0 && c > 0 ? cell(rows[r - 1], cols[c - 1]) : nullptr;
      if (colour && at)
        padded = kAnsi[static_cast<std::size_t>(dominant(at->counts))] + padded + "\033[0m";
      out += padded;
    }
    // No trailing spaces from the left-aligned first column of an empty line.
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  out += caption(spec_, any_pruned()) + "\n";
  return out;
}

}  // namespace results
