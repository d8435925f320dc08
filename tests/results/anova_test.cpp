#include "results/anova.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace results {
namespace {

// A table built row by row: factor levels, then y.
struct Table {
  AnovaData data;
  Table(std::vector<AnovaFactor> factors) {
    data.factors = std::move(factors);
    data.level.resize(data.factors.size());
  }
  void add(std::vector<int> levels, double y) {
    for (std::size_t f = 0; f < levels.size(); ++f) data.level[f].push_back(levels[f]);
    data.y.push_back(y);
  }
};

const AnovaTerm& term(const AnovaTable& table, const std::string& name) {
  for (const AnovaTerm& t : table.terms)
    if (t.name == name) return t;
  throw std::out_of_range("no term " + name);
}

// a (2 levels) x b (3 levels), two replicates per cell.
constexpr double kBalanced[2][3][2] = {{{3, 5}, {6, 8}, {10, 12}}, {{6, 6}, {9, 11}, {7, 9}}};

Table balanced() {
  Table t({{.name = "a", .levels = 2}, {.name = "b", .levels = 3}});
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (const double y : kBalanced[a][b]) t.add({a, b}, y);
  return t;
}

TEST(Anova, BalancedSumsOfSquaresAreThoseOfTheMarginalMeans) {
  double grand = 0, a_mean[2] = {}, b_mean[3] = {}, cell[2][3] = {};
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b) {
      cell[a][b] = (kBalanced[a][b][0] + kBalanced[a][b][1]) / 2;
      a_mean[a] += cell[a][b] / 3;
      b_mean[b] += cell[a][b] / 2;
      grand += cell[a][b] / 6;
    }
  double ss_a = 0, ss_b = 0, ss_ab = 0, ss_e = 0;
  for (int a = 0; a < 2; ++a) ss_a += 6 * std::pow(a_mean[a] - grand, 2);
  for (int b = 0; b < 3; ++b) ss_b += 4 * std::pow(b_mean[b] - grand, 2);
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b) {
      ss_ab += 2 * std::pow(cell[a][b] - a_mean[a] - b_mean[b] + grand, 2);
      for (const double y : kBalanced[a][b]) ss_e += std::pow(y - cell[a][b], 2);
    }
  const AnovaTable table = anova(balanced().data);
  ASSERT_EQ(table.terms.size(), 4u);
  EXPECT_EQ(table.terms[0].name, "a");
  EXPECT_EQ(table.terms[2].name, "a:b");
  EXPECT_EQ(table.terms[3].name, "Residual");
  const double expected[4] = {ss_a, ss_b, ss_ab, ss_e};
  const int df[4] = {1, 2, 2, 6};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(table.terms[i].sum_sq, expected[i], 1e-10) << table.terms[i].name;
    EXPECT_EQ(table.terms[i].df, df[i]) << table.terms[i].name;
    EXPECT_NEAR(table.terms[i].share, expected[i] / (ss_a + ss_b + ss_ab + ss_e), 1e-12);
  }
  EXPECT_NEAR(term(table, "b").f, (ss_b / 2) / (ss_e / 6), 1e-10);
  // Upper tails of F(2, 6) and F(1, 6), as statsmodels' anova_lm prints them.
  EXPECT_NEAR(term(table, "b").p, 0.0061211386950276508, 1e-12);
  EXPECT_NEAR(term(table, "a").p, 0.40554080392211522, 1e-12);
  EXPECT_TRUE(std::isnan(term(table, "Residual").f));
  EXPECT_EQ(table.used, 12u);
}

TEST(Anova, UnbalancedWithABlockMatchesStatsmodels) {
  // Two observations more in cell (1, 1), one fewer in (1, 0); rep is the repeat index.
  Table t({{.name = "a", .levels = 2},
           {.name = "b", .levels = 3},
           {.name = "rep", .levels = 2, .block = true}});
  const double rows[][4] = {{0, 0, 0, 1.0}, {0, 0, 1, 2.5}, {0, 1, 0, 3.0}, {0, 1, 1, 2.0},
                            {0, 2, 0, 4.5}, {1, 0, 0, 2.0}, {1, 0, 1, 3.5}, {1, 1, 1, 6.0},
                            {1, 1, 0, 5.0}, {1, 1, 1, 7.5}, {1, 2, 0, 3.0}, {1, 2, 1, 4.0},
                            {0, 2, 1, 5.5}};
  for (const auto& r : rows) t.add({int(r[0]), int(r[1]), int(r[2])}, r[3]);
  const AnovaTable table = anova(t.data);
  // The block is a main effect only: no a:rep, no b:rep.
  ASSERT_EQ(table.terms.size(), 5u);
  EXPECT_EQ(table.terms[2].name, "rep");
  EXPECT_EQ(table.terms[3].name, "a:b");
  // statsmodels: anova_lm(ols("y ~ C(a)*C(b) + C(rep)"), typ=2).
  const double ss[5] = {4.1939338235294201, 12.502614379084982, 3.166666666666671,
                        13.602941176470599, 3.7499999999999991};
  const double p[4] = {0.041188477580579037, 0.012283555993566685, 0.065357993783569254,
                       0.010091936736472547};
  const int df[5] = {1, 2, 1, 2, 6};
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(table.terms[i].sum_sq, ss[i], 1e-10) << table.terms[i].name;
    EXPECT_EQ(table.terms[i].df, df[i]) << table.terms[i].name;
    if (i < 4) {
      EXPECT_NEAR(table.terms[i].p, p[i], 1e-12) << table.terms[i].name;
    }
  }
}

TEST(Anova, ExactAdditiveResponseGivesTheWithinBlockSumOfSquares) {
  // y = alpha[a] + beta[b] exactly, unbalanced: the residual is 0, and SS(a | b) is the sum of
  // squares of y within the levels of b.
  Table t({{.name = "a", .levels = 3}, {.name = "b", .levels = 2, .block = true}});
  const double alpha[3] = {0, 2, 5}, beta[2] = {1, -3};
  const int cells[][2] = {{0, 0}, {0, 0}, {1, 0}, {2, 0}, {0, 1}, {1, 1}, {1, 1}, {1, 1}, {2, 1}};
  double sum[2] = {}, sum_sq[2] = {}, count[2] = {};
  for (const auto& c : cells) {
    const double y = alpha[c[0]] + beta[c[1]];
    t.add({c[0], c[1]}, y);
    sum[c[1]] += y, sum_sq[c[1]] += y * y, count[c[1]] += 1;
  }
  double within = 0;
  for (int b = 0; b < 2; ++b) within += sum_sq[b] - sum[b] * sum[b] / count[b];
  const AnovaTable table = anova(t.data);
  EXPECT_NEAR(term(table, "a").sum_sq, within, 1e-10);
  EXPECT_NEAR(term(table, "Residual").sum_sq, 0, 1e-20);
  EXPECT_EQ(term(table, "Residual").df, 5);
}

TEST(Anova, EmptyCellLowersTheInteractionsDfToItsRank) {
  // A 2 x 2 grid with cell (1, 1) diverged: three cells leave no df for a:b.
  Table t({{.name = "a", .levels = 2}, {.name = "b", .levels = 2}});
  const double rows[][3] = {{0, 0, 1}, {0, 0, 2}, {0, 1, 4}, {0, 1, 3}, {1, 0, 7}, {1, 0, 5}};
  for (const auto& r : rows) t.add({int(r[0]), int(r[1])}, r[2]);
  const AnovaTable table = anova(t.data);
  EXPECT_EQ(term(table, "a").df, 1);
  EXPECT_EQ(term(table, "b").df, 1);
  const AnovaTerm& ab = term(table, "a:b");
  EXPECT_EQ(ab.df, 0);
  EXPECT_EQ(ab.sum_sq, 0);
  EXPECT_TRUE(std::isnan(ab.f));
  EXPECT_TRUE(std::isnan(ab.p));
  EXPECT_EQ(term(table, "Residual").df, 3);
  // SS(a | b): among b = 0 only a varies; cell means 1.5 and 6 over two rows each.
  EXPECT_NEAR(term(table, "a").sum_sq, 2 * 2 * std::pow((6 - 1.5) / 2, 2), 1e-10);
  EXPECT_GT(term(table, "a").p, 0);
}

TEST(Anova, NoResidualDfLeavesEveryFAndPUndefined) {
  // One observation per cell of a 2 x 3 grid: the interaction takes the last df.
  Table t({{.name = "a", .levels = 2}, {.name = "b", .levels = 3}});
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b) t.add({a, b}, kBalanced[a][b][0]);
  const AnovaTable table = anova(t.data);
  EXPECT_EQ(term(table, "Residual").df, 0);
  for (const AnovaTerm& term : table.terms) {
    EXPECT_TRUE(std::isnan(term.f)) << term.name;
    EXPECT_TRUE(std::isnan(term.p)) << term.name;
  }
  // The sums of squares are still there: a's from its means over b, 6 and 7.
  EXPECT_NEAR(term(table, "a").sum_sq, 3 * 2 * 0.25, 1e-10);
  EXPECT_EQ(term(table, "a:b").df, 2);
}

TEST(Anova, ConstantResponseHasNoVarianceToShare) {
  Table t = balanced();
  for (double& y : t.data.y) y = 0.125;
  const AnovaTable table = anova(t.data);
  for (const AnovaTerm& term : table.terms) {
    EXPECT_NEAR(term.sum_sq, 0, 1e-25) << term.name;
    EXPECT_TRUE(std::isnan(term.f)) << term.name;
    EXPECT_TRUE(std::isnan(term.share)) << term.name;
  }
  EXPECT_EQ(term(table, "a").df, 1);
}

TEST(Anova, NonFiniteAndPrunedObservationsAreLeftOutAndCounted) {
  const AnovaTable plain = anova(balanced().data);
  Table t = balanced();
  t.add({0, 1}, std::nan(""));
  t.add({1, 2}, INFINITY);
  t.add({1, 1}, 1000);
  t.data.pruned.assign(t.data.y.size(), false);
  t.data.pruned.back() = true;
  const AnovaTable table = anova(t.data);
  EXPECT_EQ(table.used, 12u);
  EXPECT_EQ(table.non_finite, 2u);
  EXPECT_EQ(table.pruned, 1u);
  for (std::size_t i = 0; i < table.terms.size(); ++i)
    EXPECT_NEAR(table.terms[i].sum_sq, plain.terms[i].sum_sq, 1e-10);
}

TEST(Anova, LevelCodingAndRowOrderDoNotMatter) {
  const AnovaTable plain = anova(balanced().data);
  Table t = balanced();
  for (int& l : t.data.level[1]) l = 2 - l;  // another reference level
  std::reverse(t.data.y.begin(), t.data.y.end());
  for (auto& column : t.data.level) std::reverse(column.begin(), column.end());
  const AnovaTable table = anova(t.data);
  for (std::size_t i = 0; i < table.terms.size(); ++i)
    EXPECT_NEAR(table.terms[i].sum_sq, plain.terms[i].sum_sq, 1e-10);
}

TEST(Anova, LevelNeverObservedIsNoDf) {
  Table t = balanced();
  t.data.factors[1].levels = 5;  // levels 3 and 4 never seen
  const AnovaTable table = anova(t.data);
  EXPECT_EQ(term(table, "b").df, 2);
  EXPECT_EQ(term(table, "a:b").df, 2);
}

TEST(Anova, RejectsMismatchedInput) {
  Table t = balanced();
  t.data.level[0][3] = 2;
  EXPECT_THROW(anova(t.data), std::invalid_argument);
  t = balanced();
  t.data.y.pop_back();
  EXPECT_THROW(anova(t.data), std::invalid_argument);
  t = balanced();
  t.data.pruned = {true};
  EXPECT_THROW(anova(t.data), std::invalid_argument);
}

TEST(Anova, NoObservationsGiveAnEmptyTable) {
  Table t({{.name = "a", .levels = 2}});
  t.add({0}, NAN);
  const AnovaTable table = anova(t.data);
  EXPECT_EQ(table.used, 0u);
  EXPECT_EQ(table.non_finite, 1u);
  EXPECT_EQ(term(table, "a").df, 0);
  EXPECT_EQ(term(table, "Residual").df, 0);
}

TEST(QuantileLevels, EqualCountBinsOnALogScaleForAWideRange) {
  std::vector<double> lr;
  for (int i = 0; i < 12; ++i) lr.push_back(std::pow(10.0, -4 + 0.25 * ((i * 5) % 12)));
  const QuantileBins bins = quantile_levels(lr, 4);
  EXPECT_TRUE(bins.log_scale);
  ASSERT_EQ(bins.cuts.size(), 3u);
  int count[4] = {};
  for (std::size_t i = 0; i < lr.size(); ++i) {
    ++count[bins.level[i]];
    const int expected = static_cast<int>(
        std::upper_bound(bins.cuts.begin(), bins.cuts.end(), lr[i]) - bins.cuts.begin());
    EXPECT_EQ(bins.level[i], expected);
  }
  for (const int c : count) EXPECT_EQ(c, 3);
  // The first cut lies between the 3rd and 4th smallest values, 10^-3.5 and 10^-3.25, at a
  // quarter of the way (h = 11 / 4 = 2.75) on the log scale.
  EXPECT_NEAR(std::log10(bins.cuts[0]), -3.5 + 0.75 * 0.25, 1e-12);
  EXPECT_FALSE(quantile_levels(lr, 4, BinScale::kLinear).log_scale);
  EXPECT_EQ(quantile_levels(lr, 4, BinScale::kLinear).level, bins.level);
}

TEST(QuantileLevels, FewDistinctValuesAreTheirOwnBins) {
  const QuantileBins bins = quantile_levels({0.5, -1, 0.5, 2, -1}, 5);
  EXPECT_FALSE(bins.log_scale);
  EXPECT_EQ(bins.level, (std::vector<int>{1, 0, 1, 2, 0}));
  EXPECT_EQ(bins.cuts, (std::vector<double>{-0.25, 1.25}));
}

TEST(QuantileLevels, TiesNeverStraddleACutAndNoBinIsEmpty) {
  // Half the values equal: the cuts at the 1/4 and 2/4 quantiles both fall on the tie.
  const std::vector<double> v = {3, 3, 3, 3, 3, 3, 1, 2, 4, 5, 6, 7};
  const QuantileBins bins = quantile_levels(v, 4);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(bins.level[i], bins.level[0]);
  const int top = *std::max_element(bins.level.begin(), bins.level.end());
  std::vector<int> count(static_cast<std::size_t>(top) + 1, 0);
  for (const int l : bins.level) ++count[static_cast<std::size_t>(l)];
  for (const int c : count) EXPECT_GT(c, 0);
  EXPECT_EQ(bins.cuts.size(), count.size() - 1);
}

TEST(QuantileLevels, RejectsWhatCannotBeBinned) {
  EXPECT_THROW(quantile_levels({1, NAN}, 2), std::invalid_argument);
  EXPECT_THROW(quantile_levels({1, 2}, 0), std::invalid_argument);
  EXPECT_THROW(quantile_levels({0, 2}, 2, BinScale::kLog), std::invalid_argument);
}

}  // namespace
}  // namespace results
