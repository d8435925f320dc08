#include "nn/activation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace nn {
namespace {

class ActivationTest : public ::testing::TestWithParam<Activation> {};

// The derivative taken from the output must equal the slope of the function at the input.
TEST_P(ActivationTest, DerivativeFromOutputMatchesFiniteDifferences) {
  const Activation f = GetParam();
  Eigen::ArrayXd z(9);
  z << -4.0, -1.5, -0.7, -0.1, 0.05, 0.3, 1.2, 2.5, 6.0;
  const double h = 1e-6;
  Eigen::ArrayXd a = z, plus = z + h, minus = z - h;
  activate(f, 0.01, ArrayMap(a.data(), a.size()));
  activate(f, 0.01, ArrayMap(plus.data(), plus.size()));
  activate(f, 0.01, ArrayMap(minus.data(), minus.size()));
  Eigen::ArrayXd grad = Eigen::ArrayXd::Ones(9);
  multiply_by_derivative(f, 0.01, ConstArrayMap(a.data(), a.size()),
                         ArrayMap(grad.data(), grad.size()));
  for (Eigen::Index j = 0; j < z.size(); ++j) {
    const double numeric = (plus(j) - minus(j)) / (2 * h);
    EXPECT_NEAR(grad(j), numeric, 1e-7) << to_string(f) << " at z=" << z(j);
  }
}

TEST_P(ActivationTest, StaysFiniteForLargeInputs) {
  Eigen::ArrayXd z(4);
  z << -800.0, -50.0, 50.0, 800.0;
  activate(GetParam(), 0.01, ArrayMap(z.data(), z.size()));
  EXPECT_TRUE(z.allFinite()) << to_string(GetParam()) << ": " << z;
}

INSTANTIATE_TEST_SUITE_P(All, ActivationTest,
                         ::testing::Values(Activation::relu, Activation::tanh, Activation::sigmoid,
                                           Activation::linear, Activation::leaky_relu,
                                           Activation::elu, Activation::softplus),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Activation, ValuesMatchTheirDefinitions) {
  Eigen::ArrayXd z(2);
  z << -2.0, 3.0;
  Eigen::ArrayXd a = z;
  activate(Activation::relu, 0.01, ArrayMap(a.data(), a.size()));
  EXPECT_EQ(a(0), 0.0);
  EXPECT_EQ(a(1), 3.0);
  a = z;
  activate(Activation::leaky_relu, 0.1, ArrayMap(a.data(), a.size()));
  EXPECT_DOUBLE_EQ(a(0), -0.2);
  a = z;
  activate(Activation::elu, 0.01, ArrayMap(a.data(), a.size()));
  EXPECT_DOUBLE_EQ(a(0), std::exp(-2.0) - 1.0);
  a = z;
  activate(Activation::softplus, 0.01, ArrayMap(a.data(), a.size()));
  EXPECT_DOUBLE_EQ(a(1), std::log1p(std::exp(3.0)));
  a = z;
  activate(Activation::sigmoid, 0.01, ArrayMap(a.data(), a.size()));
  EXPECT_DOUBLE_EQ(a(0), 1.0 / (1.0 + std::exp(2.0)));
}

// Distance in representable doubles (same sign assumed, as here).
double ulps(double got, double want) {
  if (got == want) return 0;
  const double step = std::nextafter(std::abs(want), INFINITY) - std::abs(want);
  return std::abs(got - want) / step;
}

// tanh, sigmoid and elu have their own exp: within a few units in the last place of libm's
// functions over magnitudes from 1e-9 to far past saturation, in any position of a block.
TEST(Activation, TanhSigmoidAndEluAreAccurateToAFewUnitsInTheLastPlace) {
  std::vector<double> values;
  for (double m = 1e-9; m < 800; m *= 1.0007) values.push_back(m), values.push_back(-m);
  const Eigen::Index n = static_cast<Eigen::Index>(values.size());  // not a multiple of four
  const Eigen::ArrayXd z = Eigen::Map<const Eigen::ArrayXd>(values.data(), n);
  Eigen::ArrayXd t = z, s = z, e = z;
  activate(Activation::tanh, 0, ArrayMap(t.data(), n));
  activate(Activation::sigmoid, 0, ArrayMap(s.data(), n));
  activate(Activation::elu, 0, ArrayMap(e.data(), n));
  double worst_t = 0, worst_s = 0, worst_e = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    worst_t = std::max(worst_t, ulps(t(j), std::tanh(z(j))));
    if (z(j) > -700) worst_s = std::max(worst_s, ulps(s(j), 1.0 / (1.0 + std::exp(-z(j)))));
    worst_e = std::max(worst_e, ulps(e(j), z(j) > 0 ? z(j) : std::expm1(z(j))));
  }
  EXPECT_LE(worst_t, 4.0);
  EXPECT_LE(worst_s, 4.0);
  EXPECT_LE(worst_e, 4.0);
  // The same numbers one position later give the same results (no dependence on alignment).
  Eigen::ArrayXd shifted(n + 1);
  shifted << 0.5, z;
  activate(Activation::tanh, 0, ArrayMap(shifted.data(), n + 1));
  EXPECT_TRUE((shifted.tail(n) == t).all());
}

// On a CPU with AVX-512 the functions and derivatives run eight numbers at a time, elsewhere
// four: the same bits, for every function, zeros of either sign, infinities and NaN, and counts
// that leave a partial last vector.
TEST(Activation, EveryFunctionAndDerivativeGivesTheSameBitsAtEveryVectorWidth) {
  std::vector<double> values = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1e-300, 25.0, -1000.0};
  for (double m = 1e-9; m < 800; m *= 1.01) values.push_back(m), values.push_back(-m);
  values.push_back(0.5);  // an odd count: the last vector is partial at either width
  const Eigen::Index n = static_cast<Eigen::Index>(values.size());
  const auto same = [](const Eigen::ArrayXd& a, const Eigen::ArrayXd& b) {
    return std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
  };
  for (std::size_t k = 0; k < kActivationNames.size(); ++k) {
    const auto f = static_cast<Activation>(k);
    Eigen::ArrayXd four = Eigen::Map<const Eigen::ArrayXd>(values.data(), n), eight = four;
    ASSERT_TRUE(activate_width(f, 0.01, ArrayMap(four.data(), n), 4));
    // The outputs as the stored values of a derivative, against a gradient of every sign.
    Eigen::ArrayXd g4 = Eigen::ArrayXd::LinSpaced(n, -3, 3), g8 = g4;
    ASSERT_TRUE(multiply_by_derivative_width(f, 0.01, ConstArrayMap(four.data(), n),
                                             ArrayMap(g4.data(), n), 4));
    if (!activate_width(f, 0.01, ArrayMap(eight.data(), n), 8))
      GTEST_SKIP() << "this CPU has no AVX-512";
    EXPECT_TRUE(same(four, eight)) << to_string(f);
    ASSERT_TRUE(multiply_by_derivative_width(f, 0.01, ConstArrayMap(eight.data(), n),
                                             ArrayMap(g8.data(), n), 8));
    EXPECT_TRUE(same(g4, g8)) << to_string(f);
  }
  Eigen::ArrayXd z(2);
  EXPECT_FALSE(activate_width(Activation::relu, 0.01, ArrayMap(z.data(), 2), 16));
  EXPECT_FALSE(multiply_by_derivative_width(Activation::relu, 0.01, ConstArrayMap(z.data(), 2),
                                            ArrayMap(z.data(), 2), 3));
}

// relu as Eigen's max(z, 0) gives it: NaN stays NaN and -0 stays -0, at either width; its
// derivative passes the gradient where the output is positive only.
TEST(Activation, ReluKeepsNaNAndSignedZero) {
  for (const int width : {4, 8}) {
    Eigen::ArrayXd z(5);
    z << NAN, -0.0, -2.0, 3.0, 0.0;
    if (!activate_width(Activation::relu, 0, ArrayMap(z.data(), 5), width)) continue;
    EXPECT_TRUE(std::isnan(z(0)));
    EXPECT_TRUE(z(1) == 0.0 && std::signbit(z(1)));
    EXPECT_EQ(z(2), 0.0);
    EXPECT_FALSE(std::signbit(z(2)));
    EXPECT_EQ(z(3), 3.0);
    Eigen::ArrayXd g = Eigen::ArrayXd::Constant(5, 7.0);
    ASSERT_TRUE(multiply_by_derivative_width(Activation::relu, 0, ConstArrayMap(z.data(), 5),
                                             ArrayMap(g.data(), 5), width));
    EXPECT_EQ(g(3), 7.0);
    EXPECT_EQ(g(2), 0.0);
    EXPECT_EQ(g(4), 0.0);
  }
}

// The binary cross-entropy's log(1 + e^-|z|): within a few units in the last place of the exact
// value (long double), at both vector widths with the same bits; NaN stays NaN.
TEST(Activation, LogOnePlusExpOfMinusAbsIsAccurateAtEveryWidth) {
  std::vector<double> values = {0.0, -0.0, INFINITY, -INFINITY, 1e-300, 745.0, -745.0};
  for (double m = 1e-9; m < 800; m *= 1.0007) values.push_back(m), values.push_back(-m);
  const Eigen::Index n = static_cast<Eigen::Index>(values.size());
  const Eigen::ArrayXd z = Eigen::Map<const Eigen::ArrayXd>(values.data(), n);
  Eigen::ArrayXd four = z, eight = z;
  ASSERT_TRUE(log1p_exp_neg_abs_width(ArrayMap(four.data(), n), 4));
  double worst = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    const long double a = std::abs(static_cast<long double>(z(j)));
    if (a > 700) continue;  // e^-700 = 1e-304: below, the clamped exp gives 1e-304
    worst = std::max(worst, ulps(four(j), static_cast<double>(std::log1p(std::exp(-a)))));
  }
  EXPECT_LE(worst, 4.0);
  EXPECT_EQ(four(0), std::log(2.0));
  EXPECT_EQ(four(2), four(3));
  EXPECT_GT(four(2), 0.0);
  Eigen::ArrayXd nan = Eigen::ArrayXd::Constant(3, NAN);
  log1p_exp_neg_abs(ArrayMap(nan.data(), 3));
  EXPECT_TRUE(nan.isNaN().all());
  if (!log1p_exp_neg_abs_width(ArrayMap(eight.data(), n), 8))
    GTEST_SKIP() << "this CPU has no AVX-512";
  EXPECT_EQ(std::memcmp(four.data(), eight.data(), sizeof(double) * n), 0);
}

TEST(Activation, TanhSigmoidAndEluKeepTheirLimitsAndNaN) {
  Eigen::ArrayXd z(6);
  z << -0.0, INFINITY, -INFINITY, NAN, 25.0, -1000.0;
  Eigen::ArrayXd t = z, s = z, e = z;
  activate(Activation::tanh, 0, ArrayMap(t.data(), 6));
  activate(Activation::sigmoid, 0, ArrayMap(s.data(), 6));
  activate(Activation::elu, 0, ArrayMap(e.data(), 6));
  EXPECT_TRUE(t(0) == 0.0 && std::signbit(t(0)));
  EXPECT_EQ(t(1), 1.0);
  EXPECT_EQ(t(2), -1.0);
  EXPECT_TRUE(std::isnan(t(3)));
  EXPECT_EQ(t(4), 1.0);
  EXPECT_EQ(t(5), -1.0);
  EXPECT_EQ(s(0), 0.5);
  EXPECT_EQ(s(1), 1.0);
  EXPECT_GE(s(2), 0.0);
  EXPECT_LT(s(2), 1e-300);
  EXPECT_TRUE(std::isnan(s(3)));
  EXPECT_EQ(e(1), INFINITY);
  EXPECT_EQ(e(2), -1.0);
  EXPECT_TRUE(std::isnan(e(3)));
  EXPECT_EQ(e(5), -1.0);
}

}  // namespace
}  // namespace nn
