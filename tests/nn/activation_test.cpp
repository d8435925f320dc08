#include "nn/activation.h"

#include <gtest/gtest.h>

#include <cmath>

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

}  // namespace
}  // namespace nn
