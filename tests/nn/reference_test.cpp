#include "nn/reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "nn/mlp.h"
#include "nn/train.h"
#include "nn/training_support.h"

namespace nn {
namespace {

// The fast path and the reference agree to within kTolerance of each number's size (of 1 for
// numbers below 1), not bit for bit: the kernels start each product from the bias and fuse every
// multiply-add, Eigen blocks and orders its sums its own way, and the kernels' exp, tanh and
// log1p are their own, a few units in the last place from the C library's. Only the initial
// weights, the same draws in the same order, are the same bits (tested below); no combination
// is after a step, linear regression with SGD included. Each operation differs by about 1e-16,
// and six epochs of 30 samples compound that to at most 4e-15 (measured over every case below),
// so 1e-12 leaves a wide margin, while a wrong derivative, a sample left out or an optimizer step
// counted wrong moves the numbers by 1e-4 and more.
constexpr double kTolerance = 1e-12;

bool close(double fast, double reference) {
  if (std::isnan(fast) || std::isnan(reference)) return std::isnan(fast) && std::isnan(reference);
  return std::abs(fast - reference) <= kTolerance * std::max({1.0, std::abs(reference)});
}

// A few dozen random points: 3 inputs; targets by the task (2 values, 0/1, or one of 3 classes).
Dataset random_data(Task task, std::uint64_t seed) {
  Rng rng(seed);
  const int outputs = task == Task::multiclass ? 3 : (task == Task::regression ? 2 : 1);
  const auto split = [&](int n) {
    Split s{Eigen::MatrixXd(3, n), Eigen::MatrixXd::Zero(outputs, n)};
    for (Eigen::Index i = 0; i < s.x.size(); ++i) s.x(i) = uniform(rng, -2, 2);
    for (int j = 0; j < n; ++j) {
      if (task == Task::regression)
        for (int k = 0; k < outputs; ++k) s.y(k, j) = std::sin(s.x(k, j)) + 0.5 * s.x(2, j);
      else if (task == Task::binary)
        s.y(0, j) = s.x(0, j) * s.x(1, j) > 0 ? 1.0 : 0.0;
      else
        s.y(uniform_int(rng, 0, outputs - 1), j) = 1.0;
    }
    return s;
  };
  Dataset d;
  d.task = task;
  d.train = split(30);  // batches of 8: three whole and one of 6
  d.validation = split(10);
  d.test = split(12);
  return d;
}

TrialConfig config_for(Activation activation, Optimizer optimizer, Regularization reg) {
  TrialConfig c;
  c.model.hidden = {5, 4};
  c.model.activation = activation;
  c.model.leaky_relu_slope = 0.1;
  c.train.optimizer = optimizer;
  c.train.learning_rate = optimizer == Optimizer::sgd ? 0.05 : 0.01;
  c.train.batch_size = 8;
  c.train.epochs = 6;
  c.train.regularization = reg;
  c.train.regularization_rate = reg == Regularization::none ? 0.0 : 0.01;
  c.convergence.divergence_factor = 1e9;  // the fast path must run every epoch, as the reference
  return c;
}

using Case = std::tuple<Activation, Task, Optimizer, Regularization, Loss, Shuffle>;
class FastPathMatchesReference : public ::testing::TestWithParam<Case> {};

// Every epoch's metrics and the final parameters of train() against reference::train().
void expect_matches_reference(const TrialConfig& c, const Dataset& data) {
  const TrainResult fast = train(c, data, 5);
  const reference::Result ref = reference::train(c, data, 5);

  ASSERT_EQ(fast.curve.size(), ref.curve.size()) << "the fast path stopped early";
  for (std::size_t t = 0; t < ref.curve.size(); ++t) {
    const EpochMetrics &f = fast.curve[t], &r = ref.curve[t];
    EXPECT_EQ(f.epoch, r.epoch);
    EXPECT_PRED2(close, f.train_loss, r.train_loss) << "epoch " << t;
    EXPECT_PRED2(close, f.val_loss, r.val_loss) << "epoch " << t;
    EXPECT_PRED2(close, f.test_loss, r.test_loss) << "epoch " << t;
    // Accuracies are counts of samples: equal unless a logit sits within 1e-14 of a boundary.
    EXPECT_PRED2(close, f.train_accuracy, r.train_accuracy) << "epoch " << t;
    EXPECT_PRED2(close, f.val_accuracy, r.val_accuracy) << "epoch " << t;
    EXPECT_PRED2(close, f.test_accuracy, r.test_accuracy) << "epoch " << t;
    // So are the per-class counts behind these.
    EXPECT_PRED2(close, f.train_balanced_accuracy, r.train_balanced_accuracy) << "epoch " << t;
    EXPECT_PRED2(close, f.val_balanced_accuracy, r.val_balanced_accuracy) << "epoch " << t;
    EXPECT_PRED2(close, f.test_balanced_accuracy, r.test_balanced_accuracy) << "epoch " << t;
    EXPECT_PRED2(close, f.train_macro_f1, r.train_macro_f1) << "epoch " << t;
    EXPECT_PRED2(close, f.val_macro_f1, r.val_macro_f1) << "epoch " << t;
    EXPECT_PRED2(close, f.test_macro_f1, r.test_macro_f1) << "epoch " << t;
  }
  ASSERT_EQ(fast.parameters.size(), static_cast<std::size_t>(ref.parameters.size()));
  for (Eigen::Index i = 0; i < ref.parameters.size(); ++i)
    EXPECT_PRED2(close, fast.parameters[static_cast<std::size_t>(i)], ref.parameters(i))
        << "parameter " << i;
}

TEST_P(FastPathMatchesReference, EveryEpochsMetricsAndTheFinalParameters) {
  const auto [activation, task, optimizer, reg, loss, order] = GetParam();
  TrialConfig c = config_for(activation, optimizer, reg);
  c.model.loss = loss;
  c.train.shuffle = order;
  expect_matches_reference(c, random_data(task, 11));
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const auto [activation, task, optimizer, reg, loss, order] = info.param;
  return std::string(to_string(activation)) + "_" + std::string(to_string(task)) + "_" +
         std::string(to_string(optimizer)) + "_" + std::string(to_string(reg)) +
         (loss == Loss::automatic ? "" : "_mse") +
         (order == Shuffle::every_epoch ? "" : "_shuffled_once");
}

const auto kActivations =
    ::testing::Values(Activation::relu, Activation::tanh, Activation::sigmoid, Activation::linear,
                      Activation::leaky_relu, Activation::elu, Activation::softplus);
const auto kTasks = ::testing::Values(Task::regression, Task::binary, Task::multiclass);
const auto kOptimizers = ::testing::Values(Optimizer::sgd, Optimizer::momentum, Optimizer::adam);
const auto kEveryEpoch = ::testing::Values(Shuffle::every_epoch);

INSTANTIATE_TEST_SUITE_P(EveryActivationLossAndOptimizer, FastPathMatchesReference,
                         ::testing::Combine(kActivations, kTasks, kOptimizers,
                                            ::testing::Values(Regularization::none),
                                            ::testing::Values(Loss::automatic), kEveryEpoch),
                         case_name);
INSTANTIATE_TEST_SUITE_P(SquaredErrorOnClasses, FastPathMatchesReference,
                         ::testing::Combine(kActivations,
                                            ::testing::Values(Task::binary, Task::multiclass),
                                            kOptimizers, ::testing::Values(Regularization::none),
                                            ::testing::Values(Loss::mse), kEveryEpoch),
                         case_name);
// One order for every epoch (train.shuffle never), as TensorFlow Playground trains.
INSTANTIATE_TEST_SUITE_P(ShuffledOnce, FastPathMatchesReference,
                         ::testing::Combine(::testing::Values(Activation::tanh, Activation::relu),
                                            kTasks, ::testing::Values(Optimizer::sgd),
                                            ::testing::Values(Regularization::none),
                                            ::testing::Values(Loss::automatic),
                                            ::testing::Values(Shuffle::never)),
                         case_name);
INSTANTIATE_TEST_SUITE_P(
    Regularised, FastPathMatchesReference,
    ::testing::Combine(::testing::Values(Activation::tanh, Activation::relu), kTasks, kOptimizers,
                       ::testing::Values(Regularization::l1, Regularization::l2),
                       ::testing::Values(Loss::automatic), kEveryEpoch),
    case_name);

// train.early_stopping: the reference stops at the same epoch, on its own plain reading of the
// rule, and keeps the same best parameters; on validation, and on training loss without a
// validation split.
TEST(Reference, EarlyStoppingStopsAtTheSameEpochAndKeepsTheSameBest) {
  for (const bool validation : {true, false}) {
    for (const auto& [patience, min_delta] : {std::pair{3, 0.0}, {4, 0.001}}) {
      TrialConfig c = config_for(Activation::tanh, Optimizer::adam, Regularization::none);
      c.train.learning_rate = 0.05;
      c.train.epochs = 200;
      c.train.early_stopping_patience = patience;
      c.train.early_stopping_min_delta = min_delta;
      Dataset data = random_data(Task::multiclass, 11);
      if (!validation) data.validation = Split{};
      const std::string what =
          (validation ? "validation, patience " : "training, patience ") + std::to_string(patience);
      const TrainResult fast = train(c, data, 5);
      const reference::Result ref = reference::train(c, data, 5);
      ASSERT_TRUE(ref.stopped_epoch.has_value()) << what << ": pick a curve that stops";
      EXPECT_EQ(fast.stopped_epoch, ref.stopped_epoch) << what;
      ASSERT_EQ(fast.curve.size(), ref.curve.size()) << what;
      for (std::size_t t = 0; t < ref.curve.size(); ++t) {
        EXPECT_PRED2(close, fast.curve[t].train_loss, ref.curve[t].train_loss) << what;
        EXPECT_PRED2(close, fast.curve[t].val_loss, ref.curve[t].val_loss) << what;
      }
      ASSERT_EQ(fast.best_parameters.size(), static_cast<std::size_t>(ref.best_parameters.size()));
      for (Eigen::Index i = 0; i < ref.best_parameters.size(); ++i)
        EXPECT_PRED2(close, fast.best_parameters[static_cast<std::size_t>(i)],
                     ref.best_parameters(i))
            << what << " parameter " << i;
    }
  }
}

// train.class_weight balanced on imbalanced classes: the fast path weighs each lane's samples as
// the reference weighs its own, under every optimizer and either loss.
using WeightedCase = std::tuple<Task, Optimizer, Loss>;
class WeightedMatchesReference : public ::testing::TestWithParam<WeightedCase> {};

TEST_P(WeightedMatchesReference, EveryEpochsMetricsAndTheFinalParameters) {
  const auto [task, optimizer, loss] = GetParam();
  TrialConfig c = config_for(Activation::tanh, optimizer, Regularization::none);
  c.model.loss = loss;
  c.train.class_weight = ClassWeight::balanced;
  const Dataset data = testing_support::imbalanced_data(task, 3);
  expect_matches_reference(c, data);
  // The weights change the training: without them the parameters end elsewhere.
  TrialConfig plain = c;
  plain.train.class_weight = ClassWeight::none;
  EXPECT_NE(reference::train(c, data, 5).parameters, reference::train(plain, data, 5).parameters);
}

std::string weighted_case_name(const ::testing::TestParamInfo<WeightedCase>& info) {
  const auto [task, optimizer, loss] = info.param;
  return std::string(to_string(task)) + "_" + std::string(to_string(optimizer)) +
         (loss == Loss::automatic ? "" : "_mse");
}

INSTANTIATE_TEST_SUITE_P(Balanced, WeightedMatchesReference,
                         ::testing::Combine(::testing::Values(Task::binary, Task::multiclass),
                                            kOptimizers,
                                            ::testing::Values(Loss::automatic, Loss::mse)),
                         weighted_case_name);

// Balanced weights are n / (K n_c): each class's weights sum to n / K, so every class counts as
// much as the others, and the weights average to 1.
TEST(SampleWeights, BalancedGivesEachClassAnEqualShare) {
  for (Task task : {Task::binary, Task::multiclass}) {
    const Dataset data = testing_support::imbalanced_data(task, 3, 200);
    EXPECT_TRUE(sample_weights(data, ClassWeight::none).empty());
    const std::vector<double> w = sample_weights(data, ClassWeight::balanced);
    const std::vector<int> labels = class_labels(data.train, task);
    ASSERT_EQ(w.size(), labels.size());
    const int classes = task == Task::binary ? 2 : 3;
    std::vector<double> share(static_cast<std::size_t>(classes), 0.0);
    std::vector<int> count(static_cast<std::size_t>(classes), 0);
    for (std::size_t j = 0; j < w.size(); ++j)
      share[static_cast<std::size_t>(labels[j])] += w[j],
          ++count[static_cast<std::size_t>(labels[j])];
    for (int k = 0; k < classes; ++k) {
      EXPECT_GT(count[static_cast<std::size_t>(k)], 10) << "class " << k;
      EXPECT_NEAR(share[static_cast<std::size_t>(k)], 200.0 / classes, 1e-9) << "class " << k;
    }
    EXPECT_NE(count.front(), count.back());  // imbalanced: the weights differ
  }
}

// The same draws in the same order: the initial weights are the same bits.
TEST(Reference, InitialParametersAreTheFastPathsBitForBit) {
  for (const Init init : {Init::automatic, Init::glorot, Init::he, Init::playground})
    for (const Activation activation : {Activation::relu, Activation::tanh}) {
      TrialConfig c = config_for(activation, Optimizer::sgd, Regularization::none);
      c.model.init = init;
      c.train.epochs = 0;
      const Dataset data = random_data(Task::multiclass, 3);
      const TrainResult fast = train(c, data, 9);
      const reference::Result ref = reference::train(c, data, 9);
      ASSERT_EQ(fast.parameters.size(), static_cast<std::size_t>(ref.parameters.size()));
      for (Eigen::Index i = 0; i < ref.parameters.size(); ++i)
        EXPECT_EQ(fast.parameters[static_cast<std::size_t>(i)], ref.parameters(i));
    }
}

// train.shuffle: every_epoch draws a new order of the training samples each epoch from the
// generator that drew the initial weights; never draws the first epoch's order and keeps it.
// The same training written out by hand, one sample per step, gives the same bits.
TEST(Reference, NeverShufflesOnceAndKeepsThatOrderEveryEpoch) {
  for (const Shuffle mode : {Shuffle::every_epoch, Shuffle::never}) {
    TrialConfig c = config_for(Activation::tanh, Optimizer::sgd, Regularization::none);
    c.train.batch_size = 1;
    c.train.shuffle = mode;
    const Dataset data = random_data(Task::binary, 8);
    const reference::Result trained = reference::train(c, data, 13);

    const reference::Network net(data.inputs(), c.model.hidden, data.outputs(), c.model.activation,
                                 c.model.leaky_relu_slope, data.task);
    Rng rng(13);
    Eigen::VectorXd params = net.initial_parameters(c.model.init, rng), grad;
    std::vector<Eigen::Index> order(static_cast<std::size_t>(data.train.size()));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::vector<std::vector<Eigen::Index>> orders;
    for (int epoch = 1; epoch <= c.train.epochs; ++epoch) {
      if (mode == Shuffle::every_epoch || epoch == 1) shuffle(std::span(order), rng);
      orders.push_back(order);
      for (const Eigen::Index j : order) {
        net.backward(params, data.train.x.col(j), data.train.y.col(j), grad);
        params -= c.train.learning_rate * grad;
      }
    }
    EXPECT_EQ(params, trained.parameters) << to_string(mode);
    const bool all_same = std::all_of(orders.begin(), orders.end(),
                                      [&](const auto& o) { return o == orders.front(); });
    EXPECT_EQ(all_same, mode == Shuffle::never) << to_string(mode);
  }
}

// never's first epoch is every_epoch's (the same first shuffle); the epochs after differ.
TEST(Reference, NeverAndEveryEpochShareTheFirstEpoch) {
  TrialConfig c = config_for(Activation::relu, Optimizer::sgd, Regularization::none);
  const Dataset data = random_data(Task::regression, 2);
  const reference::Result every = reference::train(c, data, 4);
  c.train.shuffle = Shuffle::never;
  const reference::Result never = reference::train(c, data, 4);
  EXPECT_EQ(never.curve[1].train_loss, every.curve[1].train_loss);
  EXPECT_NE(never.curve[2].train_loss, every.curve[2].train_loss);
}

// The reference's layout is nn/mlp.h's: its logits from a parameter vector are Mlp's.
TEST(Reference, ReadsTheParametersInMlpsLayout) {
  const Mlp mlp(3, {5, 4}, 2, Activation::tanh, 0.01, Task::regression);
  const reference::Network net(3, {5, 4}, 2, Activation::tanh, 0.01, Task::regression);
  ASSERT_EQ(net.parameter_count(), mlp.parameter_count());
  Rng rng(2);
  const Eigen::VectorXd p = mlp.initial_parameters(Init::playground, rng);
  Eigen::MatrixXd x(3, 9);
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = uniform(rng, -2, 2);
  Mlp::Workspace ws = mlp.make_workspace(9);
  const Eigen::MatrixXd fast = mlp.forward(p.data(), x, ws);
  const Eigen::MatrixXd ref = net.logits(p, x);
  for (Eigen::Index i = 0; i < ref.size(); ++i) EXPECT_PRED2(close, fast(i), ref(i));
}

// Squared error as TensorFlow Playground and scikit-learn define it: 1/2 (o - t)^2 per sample,
// averaged over the samples; its gradient is o - t.
TEST(Reference, SquaredErrorIsHalfTheSquareWithGradientOutputMinusTarget) {
  const reference::Network net(1, {}, 1, Activation::linear, 0.01, Task::regression);
  const Eigen::VectorXd p = Eigen::VectorXd::Zero(net.parameter_count());  // output 0
  Eigen::MatrixXd x(1, 2), y(1, 2);
  x << 1.0, 1.0;
  y << 2.0, 4.0;
  EXPECT_EQ(net.loss(p, x, y), (0.5 * 4 + 0.5 * 16) / 2);
  Eigen::VectorXd grad;
  net.backward(p, x, y, grad);
  EXPECT_EQ(grad(1), (-2.0 - 4.0) / 2);  // the bias: mean of o - t
}

using GradientCase = std::tuple<Activation, Task, Regularization, Loss>;
class ReferenceGradient : public ::testing::TestWithParam<GradientCase> {};

// d(loss + penalty)/dtheta from backward() and penalty() against central differences
// (f(theta + h) - f(theta - h)) / 2h, whose error is O(h^2) plus rounding O(1e-16 / h), about
// 1e-10 for h = 1e-5 (measured: at most 2e-10 relative over every case below).
TEST_P(ReferenceGradient, MatchesCentralFiniteDifferences) {
  const auto [activation, task, reg, loss] = GetParam();
  const Dataset data = random_data(task, 4);
  const reference::Network net(3, {5, 4}, data.outputs(), activation, 0.1, task, loss);
  Rng rng(7);
  const Eigen::VectorXd params = net.initial_parameters(Init::playground, rng);
  const Eigen::MatrixXd x = data.train.x.leftCols(6), y = data.train.y.leftCols(6);
  const double rate = reg == Regularization::none ? 0.0 : 0.03;
  const auto objective = [&](const Eigen::VectorXd& p) {
    Eigen::VectorXd unused = Eigen::VectorXd::Zero(p.size());
    return net.loss(p, x, y) + net.penalty(p, reg, rate, unused);
  };

  Eigen::VectorXd analytic;
  net.backward(params, x, y, analytic);
  net.penalty(params, reg, rate, analytic);
  Eigen::VectorXd numeric(net.parameter_count());
  const double h = 1e-5;
  for (Eigen::Index i = 0; i < net.parameter_count(); ++i) {
    Eigen::VectorXd up = params, down = params;
    up(i) += h;
    down(i) -= h;
    numeric(i) = (objective(up) - objective(down)) / (2 * h);
  }
  const double relative = (analytic - numeric).norm() / (analytic.norm() + numeric.norm());
  EXPECT_LT(relative, 1e-8) << "analytic " << analytic.transpose() << "\nnumeric  "
                            << numeric.transpose();
}

// The weighted loss (1/b) sum_j w_j loss_j of train.class_weight: backward() with weights
// against central differences of loss() with the same weights, on weights far from 1.
class WeightedGradient : public ::testing::TestWithParam<GradientCase> {};

TEST_P(WeightedGradient, MatchesCentralFiniteDifferences) {
  const auto [activation, task, reg, loss] = GetParam();
  const Dataset data = random_data(task, 4);
  const reference::Network net(3, {5, 4}, data.outputs(), activation, 0.1, task, loss);
  Rng rng(7);
  const Eigen::VectorXd params = net.initial_parameters(Init::playground, rng);
  const Eigen::MatrixXd x = data.train.x.leftCols(6), y = data.train.y.leftCols(6);
  Eigen::VectorXd w(6);
  w << 0.25, 3.0, 1.0, 0.6, 2.5, 0.1;
  Eigen::VectorXd analytic;
  net.backward(params, x, y, analytic, w);
  Eigen::VectorXd numeric(net.parameter_count());
  const double h = 1e-5;
  for (Eigen::Index i = 0; i < net.parameter_count(); ++i) {
    Eigen::VectorXd up = params, down = params;
    up(i) += h;
    down(i) -= h;
    numeric(i) = (net.loss(up, x, y, w) - net.loss(down, x, y, w)) / (2 * h);
  }
  const double relative = (analytic - numeric).norm() / (analytic.norm() + numeric.norm());
  EXPECT_LT(relative, 1e-8) << "analytic " << analytic.transpose() << "\nnumeric  "
                            << numeric.transpose();
  // Weights of 1 are the unweighted loss.
  EXPECT_EQ(net.loss(params, x, y, Eigen::VectorXd::Ones(6)), net.loss(params, x, y));
}

std::string gradient_case_name(const ::testing::TestParamInfo<GradientCase>& info) {
  const auto [activation, task, reg, loss] = info.param;
  return std::string(to_string(activation)) + "_" + std::string(to_string(task)) + "_" +
         std::string(to_string(reg)) + (loss == Loss::automatic ? "" : "_mse");
}

INSTANTIATE_TEST_SUITE_P(EveryActivationLossAndPenalty, ReferenceGradient,
                         ::testing::Combine(kActivations, kTasks,
                                            ::testing::Values(Regularization::none,
                                                              Regularization::l1,
                                                              Regularization::l2),
                                            ::testing::Values(Loss::automatic)),
                         gradient_case_name);
INSTANTIATE_TEST_SUITE_P(ClassWeights, WeightedGradient,
                         ::testing::Combine(kActivations,
                                            ::testing::Values(Task::binary, Task::multiclass),
                                            ::testing::Values(Regularization::none),
                                            ::testing::Values(Loss::automatic, Loss::mse)),
                         gradient_case_name);
// The squared error of the probabilities, the loss a classification can choose instead.
INSTANTIATE_TEST_SUITE_P(
    SquaredErrorOnClasses, ReferenceGradient,
    ::testing::Combine(kActivations, ::testing::Values(Task::binary, Task::multiclass),
                       ::testing::Values(Regularization::none, Regularization::l2),
                       ::testing::Values(Loss::mse)),
    gradient_case_name);

}  // namespace
}  // namespace nn
