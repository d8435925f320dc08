#include "sweeps/spread.h"

#include <algorithm>
#include <cmath>

namespace sweeps {

Spread spread_of(std::vector<double> unit, std::size_t values) {
  std::erase_if(unit, [](double u) { return std::isnan(u); });
  Spread s;
  if (unit.empty()) return s;
  const std::size_t n = unit.size();
  s.bins = values > 0 ? std::min(n, values) : n;
  std::vector<bool> hit(s.bins, false);
  for (const double u : unit)
    hit[std::min(static_cast<std::size_t>(u * static_cast<double>(s.bins)), s.bins - 1)] = true;
  s.filled =
      static_cast<double>(std::count(hit.begin(), hit.end(), true)) / static_cast<double>(s.bins);
  // The star discrepancy of sorted points: the empirical distribution against the uniform one,
  // just before and at each point.
  std::sort(unit.begin(), unit.end());
  for (std::size_t i = 0; i < n; ++i) {
    const double below = static_cast<double>(i) / static_cast<double>(n);
    const double at = static_cast<double>(i + 1) / static_cast<double>(n);
    s.discrepancy = std::max({s.discrepancy, at - unit[i], unit[i] - below});
  }
  return s;
}

double centred_l2_discrepancy(const std::vector<std::vector<double>>& columns, std::size_t limit) {
  if (columns.empty()) return 0;
  std::vector<std::vector<double>> points;  // rows with every coordinate drawn
  for (std::size_t i = 0; i < columns.front().size() && points.size() < limit; ++i) {
    std::vector<double> row;
    for (const auto& column : columns) row.push_back(column[i]);
    if (std::none_of(row.begin(), row.end(), [](double u) { return std::isnan(u); }))
      points.push_back(std::move(row));
  }
  if (points.empty()) return 0;
  const double n = static_cast<double>(points.size());
  const std::size_t d = columns.size();
  double single = 0, pairs = 0;
  for (const auto& x : points) {
    double product = 1;
    for (std::size_t k = 0; k < d; ++k) {
      const double a = std::abs(x[k] - 0.5);
      product *= 1 + 0.5 * a - 0.5 * a * a;
    }
    single += product;
    for (const auto& y : points) {
      double both = 1;
      for (std::size_t k = 0; k < d; ++k)
        both *= 1 + 0.5 * std::abs(x[k] - 0.5) + 0.5 * std::abs(y[k] - 0.5) -
                0.5 * std::abs(x[k] - y[k]);
      pairs += both;
    }
  }
  const double squared =
      std::pow(13.0 / 12.0, static_cast<double>(d)) - 2 / n * single + pairs / (n * n);
  return std::sqrt(std::max(0.0, squared));
}

}  // namespace sweeps
