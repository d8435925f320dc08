// Analysis of variance of one metric over the axes of a sweep, for the "importance" of each
// setting: every main effect, every pairwise interaction of non-block factors and the residual
// (with repeats, the seed-to-seed noise), each with type II sums of squares, F and p-value.
// Exact for a grid, balanced or not, with empty cells; for random search the settings are first
// cut into quantile bins (quantile_levels), and the same analysis of those bins is the named
// estimator "ANOVA on quantile bins". Pure functions: no I/O, no threads. With p columns of the
// full model (1 + sum (L-1) + sum over pairs (L-1)(M-1)) the work is one pass over the
// observations (O(terms^2) each) and at most 1 + pairs + 2 x factors factorizations of at
// most p x p (p = 1270 for 6 factors of 10 levels).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace results {

struct AnovaFactor {
  std::string name;
  int levels = 0;      // level indices run 0 .. levels - 1; levels never observed are allowed
  bool block = false;  // main effect only, in no interaction: a repeat (seed) index
};

struct AnovaData {
  std::vector<AnovaFactor> factors;
  std::vector<std::vector<int>> level;  // [factor][observation]: the observation's level index
  std::vector<double> y;                // the response, one per observation
  std::vector<bool> pruned;             // empty, or one per observation: true = left out
};

struct AnovaTerm {
  std::string name;          // "lr", "lr:width", or "Residual"
  std::vector<int> factors;  // indices into AnovaData::factors; empty for the residual
  double sum_sq = 0;         // type II; 0 when df is 0
  int df = 0;                // rank gained by the term, not the nominal (L-1)(M-1)
  double mean_sq = 0;        // sum_sq / df; NaN when df is 0
  double f = 0;              // mean_sq / residual mean_sq; NaN when either df is 0
  double p = 0;              // upper tail of F(df, residual df); NaN when f is
  // sum_sq / (sum of every term's sum_sq, residual included): the shares add up to 1 even when
  // type II sums of squares of an unbalanced design do not add up to the total sum of squares.
  // NaN when that sum is 0 (a constant response).
  double share = 0;
};

struct AnovaTable {
  // Main effects in factor order, then the pairwise interactions of non-block factors in
  // (i, j), i < j order, then the residual. Every term is listed, also one with df 0, so tables
  // of one sweep have the same rows whatever diverged.
  std::vector<AnovaTerm> terms;
  std::size_t used = 0;        // observations analysed
  std::size_t non_finite = 0;  // left out: the response was NaN or infinite
  std::size_t pruned = 0;      // left out: marked pruned (counted before non-finite)
};

// Type II sums of squares on treatment (dummy) coding of the model
//   y ~ every main effect + every pairwise interaction of non-block factors,
// fitted by least squares on the rank of the design (rank-deficient designs are fine):
//   main effect A:    SS = RSS(terms not containing A) - RSS(those terms + A)
//   interaction A:B:  SS = RSS(full model without A:B) - RSS(full model)
//   residual:         SS = RSS(full model), df = used - rank(full model).
// A term's df is the rank difference of its two models. This is the standard type II, SS(A | all
// terms not containing A); statsmodels' anova_lm(typ=2) computes the same as a Wald test when
// the design has full rank, but counts a term's constraints nominally once a cell is empty. When
// the residual df is 0 (say one observation per cell of a two-factor grid) there is no error
// estimate: F and p are NaN for every term; when the residual sum of squares is 0 (an exact fit) F
// and p are NaN too. Throws std::invalid_argument when the vectors' sizes disagree or a level index
// is out of range.
AnovaTable anova(const AnovaData& data);

enum class BinScale {
  kAuto,  // log when every value is positive and the largest exceeds 10 x the smallest
  kLinear,
  kLog,  // every value must be positive
};

struct QuantileBins {
  std::vector<int> level;    // per value, its bin 0 .. bins-1 (no bin is empty)
  std::vector<double> cuts;  // bins - 1 cut points between consecutive bins, ascending
  bool log_scale = false;
};

// Deterministic quantile bins of a continuous setting sampled by random search, to run anova()
// on: the estimator "ANOVA on quantile bins". With at most `bins` distinct values each distinct
// value is its own bin. Otherwise the cut points are the k / bins quantiles (k = 1 .. bins-1),
// interpolated linearly between order statistics on the chosen scale (geometrically on the log
// scale), and a value lies in the bin above every cut it equals or exceeds; cuts that leave a
// bin empty (ties) are merged. Bin membership depends on the values' ranks only, so the scale
// changes the cut points reported, not the bins. Throws std::invalid_argument for a non-finite
// value, for bins < 1, or for kLog with a value that is not positive.
QuantileBins quantile_levels(const std::vector<double>& values, int bins,
                             BinScale scale = BinScale::kAuto);

}  // namespace results
