#include "nn/activation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nn {
namespace {

class ActivationTest : public ::testing::TestWithParam<Activation> {};

// The derivative taken from the output must equal the slope of the function at the input.
TEST_P(ActivationTest, DerivativeFromOutputMatchesFiniteDifferences) {
  const Activation f = GetParam();
  Eigen::MatrixXd z(1, 9);
  z << -4.0, -1.5, -0.7, -0.1, 0.05, 0.3, 1.2, 2.5, 6.0;
  const double h = 1e-6;
  Eigen::MatrixXd a = z, plus = z.array() + h, minus = z.array() - h;
  activate(f, 0.01, a);
  activate(f, 0.01, plus);
  activate(f, 0.01, minus);
  Eigen::MatrixXd grad = Eigen::MatrixXd::Ones(1, 9);
  multiply_by_derivative(f, 0.01, a, grad);
  for (Eigen::Index j = 0; j < z.cols(); ++j) {
    const double numeric = (plus(0, j) - minus(0, j)) / (2 * h);
    EXPECT_NEAR(grad(0, j), numeric, 1e-7) << to_string(f) << " at z=" << z(0, j);
  }
}

TEST_P(ActivationTest, StaysFiniteForLargeInputs) {
  Eigen::MatrixXd z(1, 4);
  z << -800.0, -50.0, 50.0, 800.0;
  activate(GetParam(), 0.01, z);
  EXPECT_TRUE(z.allFinite()) << to_string(GetParam()) << ": " << z;
}

INSTANTIATE_TEST_SUITE_P(All, ActivationTest,
                         ::testing::Values(Activation::relu, Activation::tanh, Activation::sigmoid,
                                           Activation::linear, Activation::leaky_relu,
                                           Activation::elu, Activation::softplus),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Activation, ValuesMatchTheirDefinitions) {
  Eigen::MatrixXd z(1, 2);
  z << -2.0, 3.0;
  Eigen::MatrixXd a = z;
  activate(Activation::relu, 0.01, a);
  EXPECT_EQ(a(0, 0), 0.0);
  EXPECT_EQ(a(0, 1), 3.0);
  a = z;
  activate(Activation::leaky_relu, 0.1, a);
  EXPECT_DOUBLE_EQ(a(0, 0), -0.2);
  a = z;
  activate(Activation::elu, 0.01, a);
  EXPECT_DOUBLE_EQ(a(0, 0), std::exp(-2.0) - 1.0);
  a = z;
  activate(Activation::softplus, 0.01, a);
  EXPECT_DOUBLE_EQ(a(0, 1), std::log1p(std::exp(3.0)));
  a = z;
  activate(Activation::sigmoid, 0.01, a);
  EXPECT_DOUBLE_EQ(a(0, 0), 1.0 / (1.0 + std::exp(2.0)));
}

}  // namespace
}  // namespace nn
