#include "nn/mlp.h"

#include <gtest/gtest.h>

#include <tuple>

namespace nn {
namespace {

struct Problem {
  Task task;
  int outputs;
};

Eigen::MatrixXd targets(Task task, int outputs, int n, Rng& rng) {
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(outputs, n);
  for (int j = 0; j < n; ++j) {
    if (task == Task::regression)
      for (int k = 0; k < outputs; ++k) y(k, j) = uniform(rng, -1, 1);
    else if (task == Task::binary)
      y(0, j) = uniform(rng, 0, 1) < 0.5 ? 0.0 : 1.0;
    else
      y(uniform_int(rng, 0, outputs - 1), j) = 1.0;
  }
  return y;
}

// Objective = mean data loss + weight penalty, as training minimises it.
double objective(const Mlp& net, const Eigen::VectorXd& params, const Eigen::MatrixXd& x,
                 const Eigen::MatrixXd& y, Regularization reg, double rate) {
  Mlp::Workspace ws = net.make_workspace(x.cols());
  net.forward(params.data(), x, ws);
  Eigen::VectorXd scratch = Eigen::VectorXd::Zero(params.size());
  return net.loss_and_gradient(y, ws, x.cols(), false) +
         net.add_penalty(params.data(), reg, rate, scratch.data());
}

using GradientCase = std::tuple<Activation, Task, Regularization>;
class GradientCheck : public ::testing::TestWithParam<GradientCase> {};

TEST_P(GradientCheck, BackwardMatchesCentralFiniteDifferences) {
  const auto [activation, task, reg] = GetParam();
  const int outputs = task == Task::multiclass ? 3 : (task == Task::regression ? 2 : 1);
  const Mlp net(3, {5, 4}, outputs, activation, 0.05, task);
  Rng rng(7);
  Eigen::VectorXd params = net.initial_parameters(Init::playground, rng);
  const int n = 6;
  Eigen::MatrixXd x(3, n);
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = uniform(rng, -2, 2);
  const Eigen::MatrixXd y = targets(task, outputs, n, rng);
  const double rate = reg == Regularization::none ? 0.0 : 0.03;

  Mlp::Workspace ws = net.make_workspace(n);
  Eigen::VectorXd analytic(params.size());
  net.forward(params.data(), x, ws);
  net.loss_and_gradient(y, ws, n, true);
  net.backward(params.data(), x, ws, analytic.data());
  net.add_penalty(params.data(), reg, rate, analytic.data());

  Eigen::VectorXd numeric(params.size());
  const double h = 1e-5;
  for (Eigen::Index i = 0; i < params.size(); ++i) {
    Eigen::VectorXd plus = params, minus = params;
    plus(i) += h;
    minus(i) -= h;
    numeric(i) =
        (objective(net, plus, x, y, reg, rate) - objective(net, minus, x, y, reg, rate)) / (2 * h);
  }
  const double relative = (analytic - numeric).norm() / (analytic.norm() + numeric.norm());
  EXPECT_LT(relative, 1e-6) << "analytic " << analytic.transpose() << "\nnumeric  "
                            << numeric.transpose();
}

INSTANTIATE_TEST_SUITE_P(
    EveryActivationLossAndPenalty, GradientCheck,
    ::testing::Combine(::testing::Values(Activation::relu, Activation::tanh, Activation::sigmoid,
                                         Activation::linear, Activation::leaky_relu,
                                         Activation::elu, Activation::softplus),
                       ::testing::Values(Task::regression, Task::binary, Task::multiclass),
                       ::testing::Values(Regularization::none, Regularization::l1,
                                         Regularization::l2)),
    [](const auto& info) {
      return std::string(to_string(std::get<0>(info.param))) + "_" +
             std::string(to_string(std::get<1>(info.param))) + "_" +
             std::string(to_string(std::get<2>(info.param)));
    });

TEST(Mlp, ParameterLayoutIsWeightsThenBiasesPerLayer) {
  const Mlp net(2, {8, 8}, 1, Activation::tanh, 0.01, Task::binary);
  EXPECT_EQ(net.parameter_count(), 8 * 2 + 8 + 8 * 8 + 8 + 1 * 8 + 1);
  Eigen::VectorXd p = Eigen::VectorXd::LinSpaced(net.parameter_count(), 0, 100);
  EXPECT_EQ(net.weights(p.data(), 1)(0, 0), p(24));
  EXPECT_EQ(net.biases(p.data(), 1)(0), p(24 + 64));
}

TEST(Mlp, CrossEntropyIsStableForHugeLogits) {
  const Mlp net(1, {}, 3, Activation::linear, 0.01, Task::multiclass);
  Eigen::VectorXd p(net.parameter_count());
  p << 1000, -1000, 0, 0, 0, 0;  // weights then biases
  Eigen::MatrixXd x(1, 1), y(3, 1);
  x << 1.0;
  y << 0, 1, 0;
  Mlp::Workspace ws = net.make_workspace(1);
  net.forward(p.data(), x, ws);
  const double loss = net.loss_and_gradient(y, ws, 1, true);
  EXPECT_NEAR(loss, 2000.0, 1e-9);
  EXPECT_TRUE(ws.delta.back().allFinite());
}

TEST(Mlp, InitialisationFollowsTheActivation) {
  Rng rng(1);
  const Mlp relu(100, {100}, 1, Activation::relu, 0.01, Task::binary);
  const Eigen::VectorXd he = relu.initial_parameters(Init::automatic, rng);
  EXPECT_LE(relu.weights(he.data(), 0).cwiseAbs().maxCoeff(), std::sqrt(6.0 / 100));
  EXPECT_GT(relu.weights(he.data(), 0).cwiseAbs().maxCoeff(), std::sqrt(6.0 / 200));
  const Mlp tanh_net(100, {100}, 1, Activation::tanh, 0.01, Task::binary);
  const Eigen::VectorXd glorot = tanh_net.initial_parameters(Init::automatic, rng);
  EXPECT_LE(tanh_net.weights(glorot.data(), 0).cwiseAbs().maxCoeff(), std::sqrt(6.0 / 200));
  EXPECT_EQ(tanh_net.biases(glorot.data(), 0).cwiseAbs().maxCoeff(), 0.0);
  const Eigen::VectorXd pg = tanh_net.initial_parameters(Init::playground, rng);
  EXPECT_EQ(tanh_net.biases(pg.data(), 0)(0), 0.1);
  EXPECT_LE(tanh_net.weights(pg.data(), 0).cwiseAbs().maxCoeff(), 0.5);
}

}  // namespace
}  // namespace nn
