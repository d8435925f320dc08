#include "results/anova.h"

#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace results {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A column whose part not explained by the columns pivoted before it has less than this share of
// its squared norm is dependent on them. X'X holds exact counts, so a dependent column's share is
// rounding: at most 1e-15 in the tests, while independent columns' shares were above 1e-2 there
// and in a 10,000-row design of 6 factors of 10 levels.
constexpr double kRankTolerance = 1e-10;

// A model term and its columns in treatment coding: level 0 of every factor is the reference.
struct Term {
  std::vector<int> factors;
  int first_column = 0;
  int columns = 0;
};

// The normal equations of the full model, each row of X being 0/1 with one column per term.
struct Design {
  std::vector<Term> terms;
  int columns = 1;               // column 0 is the intercept
  std::vector<int> row_columns;  // [observation][1 + terms]: its column of each term, or -1
  Eigen::VectorXd y;             // centred: the intercept is in every model
  Eigen::MatrixXd xtx;           // X'X, entries are counts
  Eigen::VectorXd xty;           // X'y
};

struct Fit {
  double rss = 0;
  int rank = 0;
};

void validate(const AnovaData& data) {
  if (data.level.size() != data.factors.size())
    throw std::invalid_argument("anova: one level vector per factor is needed");
  if (!data.pruned.empty() && data.pruned.size() != data.y.size())
    throw std::invalid_argument("anova: pruned must be empty or one flag per observation");
  for (std::size_t f = 0; f < data.factors.size(); ++f) {
    if (data.level[f].size() != data.y.size())
      throw std::invalid_argument("anova: factor " + data.factors[f].name +
                                  " has a level count unlike the response's");
    for (const int l : data.level[f])
      if (l < 0 || l >= data.factors[f].levels)
        throw std::invalid_argument("anova: level index out of range in factor " +
                                    data.factors[f].name);
  }
}

std::vector<Term> make_terms(const std::vector<AnovaFactor>& factors) {
  std::vector<Term> terms;
  int next = 1;
  auto add = [&](std::vector<int> members) {
    int columns = 1;
    for (const int f : members) columns *= std::max(factors[f].levels - 1, 0);
    terms.push_back({std::move(members), next, columns});
    next += columns;
  };
  const int k = static_cast<int>(factors.size());
  for (int f = 0; f < k; ++f) add({f});
  for (int a = 0; a < k; ++a)
    for (int b = a + 1; b < k; ++b)
      if (!factors[a].block && !factors[b].block) add({a, b});
  return terms;
}

// The column of `term` that is 1 for an observation, or -1 when one of its levels is the reference.
int column_of(const Term& term, const AnovaData& data, std::size_t obs) {
  int offset = 0;
  for (const int f : term.factors) {
    const int l = data.level[f][obs];
    if (l == 0) return -1;
    offset = offset * (data.factors[f].levels - 1) + (l - 1);
  }
  return term.first_column + offset;
}

std::vector<std::size_t> usable(const AnovaData& data, AnovaTable& table) {
  std::vector<std::size_t> used;
  for (std::size_t i = 0; i < data.y.size(); ++i) {
    if (!data.pruned.empty() && data.pruned[i])
      ++table.pruned;
    else if (!std::isfinite(data.y[i]))
      ++table.non_finite;
    else
      used.push_back(i);
  }
  table.used = used.size();
  return used;
}

Design build(const AnovaData& data, const std::vector<std::size_t>& used) {
  Design d;
  d.terms = make_terms(data.factors);
  for (const Term& t : d.terms) d.columns += t.columns;
  const std::size_t width = d.terms.size() + 1;
  d.row_columns.resize(used.size() * width);
  d.y.resize(static_cast<Eigen::Index>(used.size()));
  double mean = 0;
  for (const std::size_t i : used) mean += data.y[i] / static_cast<double>(used.size());
  d.xtx = Eigen::MatrixXd::Zero(d.columns, d.columns);
  d.xty = Eigen::VectorXd::Zero(d.columns);
  for (std::size_t r = 0; r < used.size(); ++r) {
    int* cols = &d.row_columns[r * width];
    cols[0] = 0;
    for (std::size_t t = 0; t < d.terms.size(); ++t)
      cols[t + 1] = column_of(d.terms[t], data, used[r]);
    const double y = data.y[used[r]] - mean;
    d.y[static_cast<Eigen::Index>(r)] = y;
    // X'X and X'y from the row's few ones: O(terms^2) per row, never O(p^2).
    for (std::size_t a = 0; a < width; ++a) {
      if (cols[a] < 0) continue;
      d.xty[cols[a]] += y;
      for (std::size_t b = 0; b < width; ++b)
        if (cols[b] >= 0) d.xtx(cols[a], cols[b]) += 1;
    }
  }
  return d;
}

// Least squares on the columns of the terms in `model` (and the intercept), by a pivoted LDL' of
// the equilibrated normal equations: a pivot below kRankTolerance marks a dependent column, whose
// coefficient is 0. The residuals are then summed directly, not as y'y - b'X'y, which would
// cancel when the fit is close.
Fit fit(const Design& d, const std::vector<bool>& model) {
  std::vector<int> cols{0};
  for (std::size_t t = 0; t < d.terms.size(); ++t) {
    if (!model[t]) continue;
    const Term& term = d.terms[t];
    for (int c = term.first_column; c < term.first_column + term.columns; ++c)
      if (d.xtx(c, c) > 0) cols.push_back(c);
  }
  if (d.y.size() == 0) return {};
  const Eigen::Index m = static_cast<Eigen::Index>(cols.size());
  Eigen::VectorXd scale(m), rhs(m);
  for (Eigen::Index i = 0; i < m; ++i) scale[i] = 1 / std::sqrt(d.xtx(cols[i], cols[i]));
  Eigen::MatrixXd a(m, m);
  for (Eigen::Index j = 0; j < m; ++j) {
    rhs[j] = scale[j] * d.xty[cols[j]];
    for (Eigen::Index i = 0; i < m; ++i) a(i, j) = scale[i] * scale[j] * d.xtx(cols[i], cols[j]);
  }
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(a);
  const Eigen::VectorXd diag = ldlt.vectorD();
  const double cutoff = kRankTolerance * std::max(diag.maxCoeff(), 0.0);
  Fit result;
  Eigen::VectorXd z = ldlt.transpositionsP() * rhs;
  ldlt.matrixL().solveInPlace(z);
  for (Eigen::Index i = 0; i < m; ++i) {
    const bool kept = diag[i] > cutoff;
    result.rank += kept;
    z[i] = kept ? z[i] / diag[i] : 0;
  }
  ldlt.matrixU().solveInPlace(z);
  const Eigen::VectorXd solution = ldlt.transpositionsP().transpose() * z;
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(d.columns);
  for (Eigen::Index i = 0; i < m; ++i) beta[cols[i]] = scale[i] * solution[i];
  const std::size_t width = d.terms.size() + 1;
  for (Eigen::Index r = 0; r < d.y.size(); ++r) {
    double fitted = 0;
    for (std::size_t k = 0; k < width; ++k) {
      const int c = d.row_columns[static_cast<std::size_t>(r) * width + k];
      if (c >= 0) fitted += beta[c];
    }
    const double e = d.y[r] - fitted;
    result.rss += e * e;
  }
  return result;
}

bool contains(const Term& term, int factor) {
  return std::find(term.factors.begin(), term.factors.end(), factor) != term.factors.end();
}

// The models compared for term t: (without, with).
std::pair<std::vector<bool>, std::vector<bool>> compared_models(const Design& d, std::size_t t) {
  const std::size_t n = d.terms.size();
  std::vector<bool> with(n, true), without(n, true);
  if (d.terms[t].factors.size() == 1) {
    // SS(A | every term not containing A): the other terms with A leave both models.
    for (std::size_t u = 0; u < n; ++u)
      if (contains(d.terms[u], d.terms[t].factors[0])) without[u] = with[u] = false;
    with[t] = true;
  } else {
    without[t] = false;
  }
  return {without, with};
}

std::string term_name(const Term& term, const std::vector<AnovaFactor>& factors) {
  std::string name;
  for (const int f : term.factors) name += (name.empty() ? "" : ":") + factors[f].name;
  return name;
}

// Mean squares, F, p and shares once every sum of squares and df is known.
void finish(AnovaTable& table) {
  const AnovaTerm& residual = table.terms.back();
  const double residual_ms = residual.df > 0 ? residual.sum_sq / residual.df : kNaN;
  double total = 0;
  for (const AnovaTerm& term : table.terms) total += term.sum_sq;
  for (AnovaTerm& term : table.terms) {
    term.mean_sq = term.df > 0 ? term.sum_sq / term.df : kNaN;
    term.share = total > 0 ? term.sum_sq / total : kNaN;
    term.f = term.p = kNaN;
    if (&term == &residual || !(residual_ms > 0) || term.df == 0) continue;
    term.f = term.mean_sq / residual_ms;
    const boost::math::fisher_f_distribution<double> dist(term.df, residual.df);
    term.p = boost::math::cdf(boost::math::complement(dist, term.f));
  }
}

}  // namespace

AnovaTable anova(const AnovaData& data) {
  validate(data);
  AnovaTable table;
  const Design d = build(data, usable(data, table));
  std::map<std::vector<bool>, Fit> fits;  // the same model serves several terms
  auto fitted = [&](const std::vector<bool>& model) -> const Fit& {
    auto it = fits.find(model);
    if (it == fits.end()) it = fits.emplace(model, fit(d, model)).first;
    return it->second;
  };
  for (std::size_t t = 0; t < d.terms.size(); ++t) {
    const auto [without, with] = compared_models(d, t);
    const Fit& small = fitted(without);
    const Fit& large = fitted(with);
    AnovaTerm term{.name = term_name(d.terms[t], data.factors), .factors = d.terms[t].factors};
    term.df = large.rank - small.rank;
    term.sum_sq = term.df > 0 ? std::max(small.rss - large.rss, 0.0) : 0.0;
    table.terms.push_back(std::move(term));
  }
  const Fit& full = fitted(std::vector<bool>(d.terms.size(), true));
  AnovaTerm residual{.name = "Residual"};
  residual.sum_sq = full.rss;
  residual.df = static_cast<int>(table.used) - full.rank;
  table.terms.push_back(std::move(residual));
  finish(table);
  return table;
}

namespace {

// The bins when there are at most `bins` distinct values: one per value, cut half-way.
QuantileBins distinct_bins(const std::vector<double>& values, std::vector<double> distinct,
                           bool log_scale) {
  QuantileBins out;
  out.log_scale = log_scale;
  for (std::size_t k = 1; k < distinct.size(); ++k)
    out.cuts.push_back(log_scale ? std::sqrt(distinct[k - 1]) * std::sqrt(distinct[k])
                                 : distinct[k - 1] + (distinct[k] - distinct[k - 1]) / 2);
  for (const double v : values)
    out.level.push_back(
        static_cast<int>(std::lower_bound(distinct.begin(), distinct.end(), v) - distinct.begin()));
  return out;
}

// The k / bins quantile of sorted values, interpolated on the scale; an order statistic itself
// when it falls on one or between ties, so that a tie never straddles a cut by rounding.
double quantile(const std::vector<double>& sorted, int k, int bins, bool log_scale) {
  const double h = static_cast<double>(sorted.size() - 1) * k / bins;
  const std::size_t lo = static_cast<std::size_t>(h);
  const double frac = h - static_cast<double>(lo);
  if (frac == 0 || lo + 1 >= sorted.size() || sorted[lo] == sorted[lo + 1]) return sorted[lo];
  const double a = sorted[lo], b = sorted[lo + 1];
  return log_scale ? std::exp(std::log(a) + frac * (std::log(b) - std::log(a)))
                   : a + frac * (b - a);
}

}  // namespace

QuantileBins quantile_levels(const std::vector<double>& values, int bins, BinScale scale) {
  if (bins < 1) throw std::invalid_argument("quantile_levels: bins must be at least 1");
  for (const double v : values)
    if (!std::isfinite(v)) throw std::invalid_argument("quantile_levels: non-finite value");
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const bool positive = !sorted.empty() && sorted.front() > 0;
  if (scale == BinScale::kLog && !positive && !sorted.empty())
    throw std::invalid_argument("quantile_levels: a log scale needs positive values");
  const bool log_scale = scale == BinScale::kLog || (scale == BinScale::kAuto && positive &&
                                                     sorted.back() > 10 * sorted.front());
  std::vector<double> distinct = sorted;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() <= static_cast<std::size_t>(bins))
    return distinct_bins(values, std::move(distinct), log_scale);
  std::vector<double> cuts;
  for (int k = 1; k < bins; ++k) cuts.push_back(quantile(sorted, k, bins, log_scale));
  // Bins left empty by ties are merged: each occupied bin keeps the highest cut below it.
  std::vector<int> occupied(static_cast<std::size_t>(bins), 0);
  for (const double v : sorted)
    occupied[static_cast<std::size_t>(std::upper_bound(cuts.begin(), cuts.end(), v) -
                                      cuts.begin())] = 1;
  QuantileBins out;
  out.log_scale = log_scale;
  std::vector<int> renumber(static_cast<std::size_t>(bins), 0);
  int next = 0;
  for (int b = 0; b < bins; ++b) {
    if (!occupied[static_cast<std::size_t>(b)]) continue;
    if (next > 0) out.cuts.push_back(cuts[static_cast<std::size_t>(b - 1)]);
    renumber[static_cast<std::size_t>(b)] = next++;
  }
  for (const double v : values)
    out.level.push_back(renumber[static_cast<std::size_t>(
        std::upper_bound(cuts.begin(), cuts.end(), v) - cuts.begin())]);
  return out;
}

}  // namespace results
