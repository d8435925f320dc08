#include "nn/mlp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
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

// Objective per lane = mean data loss + weight penalty, as training minimises it.
Lanes objective(const Mlp& net, const LaneMatrix& params, const LaneMatrix& x, const LaneMatrix& y,
                Eigen::Index n, Regularization reg, double rate) {
  LaneNet::Workspace ws = net.lanes().make_workspace(n);
  net.lanes().forward(params, x, n, ws);
  Lanes penalty = Lanes::Zero();
  for (int l = 0; l < net.layers(); ++l)
    for (Eigen::Index e = 0; e < Eigen::Index{net.width(l)} * net.width(l + 1); ++e) {
      const Lanes w = params.col(net.lanes().offset(l) + e);
      if (reg == Regularization::l1) penalty += rate * w.abs();
      if (reg == Regularization::l2) penalty += 0.5 * rate * w.square();
    }
  return net.lanes().loss_sum(y, n, ws) / static_cast<double>(n) + penalty;
}

using GradientCase = std::tuple<Activation, Task, Regularization, Loss>;
class GradientCheck : public ::testing::TestWithParam<GradientCase> {};

// The lanes of one pack check each other too: the same network in every lane, the analytic
// gradient must agree across lanes to the bit, and the finite differences perturb one
// parameter up in lane 1 and down in lane 2 while lanes 0 and 3 stay put.
TEST_P(GradientCheck, BackwardMatchesCentralFiniteDifferences) {
  const auto [activation, task, reg, loss] = GetParam();
  const int outputs = task == Task::multiclass ? 3 : (task == Task::regression ? 2 : 1);
  const Mlp net(3, {5, 4}, outputs, activation, 0.05, task, loss);
  Rng rng(7);
  const LaneMatrix params = broadcast(net.initial_parameters(Init::playground, rng));
  const int n = 6;
  Eigen::MatrixXd x(3, n);
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = uniform(rng, -2, 2);
  const LaneMatrix xs = broadcast(x), ys = broadcast(targets(task, outputs, n, rng));
  const double rate = reg == Regularization::none ? 0.0 : 0.03;

  LaneNet::Workspace ws = net.lanes().make_workspace(n);
  LaneMatrix grad(kLanes, net.parameter_count());
  net.lanes().forward(params, xs, n, ws);
  net.lanes().loss_gradient(ys, n, ws);
  net.lanes().backward(params, xs, n, ws, grad);
  net.lanes().add_penalty(params, reg, Lanes::Constant(rate), grad);
  for (int l = 1; l < kLanes; ++l) EXPECT_TRUE((grad.row(l) == grad.row(0)).all());
  const Eigen::VectorXd analytic = grad.row(0).transpose().matrix();

  Eigen::VectorXd numeric(net.parameter_count());
  const double h = 1e-5;
  for (Eigen::Index i = 0; i < net.parameter_count(); ++i) {
    LaneMatrix perturbed = params;
    perturbed(1, i) += h;
    perturbed(2, i) -= h;
    const Lanes o = objective(net, perturbed, xs, ys, n, reg, rate);
    EXPECT_EQ(o[0], o[3]);
    numeric(i) = (o[1] - o[2]) / (2 * h);
  }
  const double relative = (analytic - numeric).norm() / (analytic.norm() + numeric.norm());
  EXPECT_LT(relative, 1e-6) << "analytic " << analytic.transpose() << "\nnumeric  "
                            << numeric.transpose();
}

// The weighted loss of train.class_weight, (1/n) sum_j w_j loss_j: weight_samples() scales each
// sample's gradient, here by weights that differ between the lanes. Each lane's gradient is
// checked against central differences of its own weighted loss, sample by sample; lane 0's
// weights are all 1 and must leave the unweighted gradient's bits alone.
class WeightedGradientCheck : public ::testing::TestWithParam<GradientCase> {};

TEST_P(WeightedGradientCheck, EachLanesGradientIsItsWeightedLoss) {
  const auto [activation, task, reg, loss] = GetParam();
  const int outputs = task == Task::multiclass ? 3 : 1;
  const Mlp net(3, {5, 4}, outputs, activation, 0.05, task, loss);
  Rng rng(7);
  const LaneMatrix params = broadcast(net.initial_parameters(Init::playground, rng));
  const int n = 6;
  Eigen::MatrixXd x(3, n);
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = uniform(rng, -2, 2);
  const Eigen::MatrixXd y = targets(task, outputs, n, rng);
  LaneMatrix w(kLanes, n);
  for (int j = 0; j < n; ++j) {
    w(0, j) = 1.0;
    for (int l = 1; l < kLanes; ++l) w(l, j) = uniform(rng, 0.1, 4.0);
  }
  const auto weighted_loss = [&](const LaneMatrix& p) {
    LaneNet::Workspace one = net.lanes().make_workspace(1);
    Lanes sum = Lanes::Zero();
    for (int j = 0; j < n; ++j) {
      net.lanes().forward(p, broadcast(x.col(j)), 1, one);
      sum += w.col(j) * net.lanes().loss_sum(broadcast(y.col(j)), 1, one);
    }
    return Lanes(sum / static_cast<double>(n));
  };

  LaneNet::Workspace ws = net.lanes().make_workspace(n);
  LaneMatrix grad(kLanes, net.parameter_count()), plain(kLanes, net.parameter_count());
  net.lanes().forward(params, broadcast(x), n, ws);
  net.lanes().loss_gradient(broadcast(y), n, ws);
  net.lanes().backward(params, broadcast(x), n, ws, plain);
  net.lanes().weight_samples(w, n, ws);
  net.lanes().backward(params, broadcast(x), n, ws, grad);
  EXPECT_TRUE((grad.row(0) == plain.row(0)).all());
  const double h = 1e-5;
  for (int l = 1; l < kLanes; ++l) {
    Eigen::VectorXd numeric(net.parameter_count());
    for (Eigen::Index i = 0; i < net.parameter_count(); ++i) {
      LaneMatrix up = params, down = params;
      up(l, i) += h;
      down(l, i) -= h;
      numeric(i) = (weighted_loss(up)[l] - weighted_loss(down)[l]) / (2 * h);
    }
    const Eigen::VectorXd analytic = grad.row(l).transpose().matrix();
    const double relative = (analytic - numeric).norm() / (analytic.norm() + numeric.norm());
    EXPECT_LT(relative, 1e-6) << "lane " << l << "\nanalytic " << analytic.transpose()
                              << "\nnumeric  " << numeric.transpose();
  }
}

const auto kEveryActivation =
    ::testing::Values(Activation::relu, Activation::tanh, Activation::sigmoid, Activation::linear,
                      Activation::leaky_relu, Activation::elu, Activation::softplus);
std::string gradient_case_name(const ::testing::TestParamInfo<GradientCase>& info) {
  const auto [activation, task, reg, loss] = info.param;
  return std::string(to_string(activation)) + "_" + std::string(to_string(task)) + "_" +
         std::string(to_string(reg)) + (loss == Loss::automatic ? "" : "_mse");
}

INSTANTIATE_TEST_SUITE_P(
    EveryActivationLossAndPenalty, GradientCheck,
    ::testing::Combine(kEveryActivation,
                       ::testing::Values(Task::regression, Task::binary, Task::multiclass),
                       ::testing::Values(Regularization::none, Regularization::l1,
                                         Regularization::l2),
                       ::testing::Values(Loss::automatic)),
    gradient_case_name);
INSTANTIATE_TEST_SUITE_P(ClassWeights, WeightedGradientCheck,
                         ::testing::Combine(kEveryActivation,
                                            ::testing::Values(Task::binary, Task::multiclass),
                                            ::testing::Values(Regularization::none),
                                            ::testing::Values(Loss::automatic, Loss::mse)),
                         gradient_case_name);
// The squared error of the probabilities, the loss a classification can choose instead.
INSTANTIATE_TEST_SUITE_P(
    SquaredErrorOnClasses, GradientCheck,
    ::testing::Combine(kEveryActivation, ::testing::Values(Task::binary, Task::multiclass),
                       ::testing::Values(Regularization::none, Regularization::l2),
                       ::testing::Values(Loss::mse)),
    gradient_case_name);

// A pass runs eight numbers per instruction on CPUs with AVX-512 and four elsewhere (products,
// activations, derivatives, the binary cross-entropy, the sigmoids of the squared error): every
// layer's outputs, deltas and gradients and the loss have the same bits at both widths, for row
// counts that leave every remainder (1, 2, 3, 5, 9, 16 rows), batches that leave every column
// remainder, and each activation with vector code of its own against a binary and a multiclass
// output.
TEST(LaneNet, APassGivesTheSameBitsAtEveryVectorWidth) {
  const std::tuple<Activation, Task, Loss> cases[] = {
      {Activation::tanh, Task::multiclass, Loss::automatic},
      {Activation::sigmoid, Task::binary, Loss::automatic},
      {Activation::relu, Task::binary, Loss::automatic},
      {Activation::elu, Task::multiclass, Loss::automatic},
      {Activation::tanh, Task::binary, Loss::mse},
      {Activation::relu, Task::multiclass, Loss::mse}};
  for (const auto& [activation, task, loss] : cases)
    for (const int batch : {1, 3, 7, 33}) {
      const int outputs = task == Task::binary ? 1 : 3;
      struct Pass {
        LaneNet::Workspace ws;
        LaneMatrix grad;
        Lanes loss;
      };
      const auto run = [&](int width, Pass& pass) {
        Mlp net(3, {5, 9, 2, 16, 1}, outputs, activation, 0.01, task, loss);
        LaneNet lanes = net.lanes();
        if (!lanes.use_vector_width(width)) return false;
        Rng rng(11);
        LaneMatrix params(kLanes, net.parameter_count());
        for (int l = 0; l < kLanes; ++l)
          params.row(l) = net.initial_parameters(Init::glorot, rng).transpose();
        LaneMatrix x(kLanes, 3 * batch);
        for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = uniform(rng, -2, 2);
        const LaneMatrix y = broadcast(targets(task, outputs, batch, rng));
        pass.ws = lanes.make_workspace(batch);
        pass.grad.resize(kLanes, net.parameter_count());
        lanes.forward(params, x, batch, pass.ws);
        pass.loss = lanes.loss_sum(y, batch, pass.ws);
        lanes.loss_gradient(y, batch, pass.ws);
        lanes.backward(params, x, batch, pass.ws, pass.grad);
        return true;
      };
      Pass four, eight;
      ASSERT_TRUE(run(4, four));
      if (!run(8, eight)) GTEST_SKIP() << "this CPU has no AVX-512";
      const auto same = [](const auto& a, const auto& b) {
        return a.size() == b.size() &&
               std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
      };
      const std::string where =
          std::string(to_string(activation)) + ", batch " + std::to_string(batch);
      for (std::size_t l = 0; l < four.ws.out.size(); ++l) {
        EXPECT_TRUE(same(four.ws.out[l], eight.ws.out[l])) << where << ", layer " << l;
        EXPECT_TRUE(same(four.ws.delta[l], eight.ws.delta[l])) << where << ", layer " << l;
      }
      EXPECT_TRUE(same(four.grad, eight.grad)) << where;
      EXPECT_TRUE(same(four.loss, eight.loss)) << where;
    }
  Mlp net(2, {8}, 1, Activation::relu, 0.01, Task::binary);
  LaneNet lanes = net.lanes();
  EXPECT_TRUE(lanes.use_vector_width(4));
  EXPECT_FALSE(lanes.use_vector_width(16));
}

// Layers wider than the products' stretches of t and chunks of columns (64), a batch longer
// than forward()'s chunk of samples: every pre-activation, weight gradient and delta is still
// the sum over t in order, each product fused as the build fuses (one rounding per step with
// FMA), at every vector width.
TEST(LaneNet, WideLayersSumEachOutputInOrderWhateverTheBlocking) {
  constexpr int kInputs = 150, kBatch = 150;
  const Mlp net(kInputs, {130, 70}, 2, Activation::linear, 0.01, Task::regression);
  const auto step = [](double acc, double a, double b) {
#ifdef __FP_FAST_FMA
    return std::fma(a, b, acc);
#else
    return acc + a * b;
#endif
  };
  Rng rng(5);
  LaneMatrix params(kLanes, net.parameter_count()), x(kLanes, kInputs * kBatch);
  for (int l = 0; l < kLanes; ++l)
    params.row(l) = net.initial_parameters(Init::glorot, rng).transpose();
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = uniform(rng, -2, 2);
  const LaneMatrix y = broadcast(Eigen::MatrixXd::Random(2, kBatch));
  for (const int width : {4, 8}) {
    LaneNet lanes = net.lanes();
    if (!lanes.use_vector_width(width)) continue;
    LaneNet::Workspace ws = lanes.make_workspace(kBatch);
    LaneMatrix grad(kLanes, net.parameter_count());
    lanes.forward(params, x, kBatch, ws);
    lanes.loss_gradient(y, kBatch, ws);
    lanes.backward(params, x, kBatch, ws, grad);
    const int lane = 3;
    const auto w = [&](int layer, int i, int k) {  // W(i, k) of a layer, in the lane
      return params(lane, lanes.offset(layer) + i + k * lanes.width(layer + 1));
    };
    for (const auto& [i, j] : {std::pair{0, 0}, {129, 149}, {77, 64}}) {
      double out = params(lane, lanes.offset(0) + 130 * kInputs + i);  // the bias
      for (int k = 0; k < kInputs; ++k) out = step(out, w(0, i, k), x(lane, j * kInputs + k));
      EXPECT_EQ(ws.out[0](lane, j * 130 + i), out) << "width " << width << ", unit " << i;
      double below = 0;  // the delta of the first layer, through the second's weights
      for (int k = 0; k < 70; ++k) below = step(below, w(1, k, i), ws.delta[1](lane, j * 70 + k));
      EXPECT_EQ(ws.delta[0](lane, j * 130 + i), below) << "width " << width << ", unit " << i;
    }
    for (const auto& [i, k] : {std::pair{0, 0}, {69, 129}, {65, 64}}) {
      double dw = 0;
      for (int j = 0; j < kBatch; ++j)
        dw = step(dw, ws.delta[1](lane, j * 70 + i), ws.out[0](lane, j * 130 + k));
      EXPECT_EQ(grad(lane, lanes.offset(1) + i + k * 70), dw) << "width " << width;
    }
  }
}

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
  LaneNet::Workspace ws = net.lanes().make_workspace(1);
  net.lanes().forward(broadcast(p), broadcast(x), 1, ws);
  const Lanes loss = net.lanes().loss_sum(broadcast(y), 1, ws);
  net.lanes().loss_gradient(broadcast(y), 1, ws);
  EXPECT_NEAR(loss[0], 2000.0, 1e-9);
  EXPECT_TRUE(ws.delta.back().allFinite());
}

// TensorFlow Playground's and scikit-learn's squared error, 1/2 (o - t)^2 per sample, with
// gradient o - t: a learning rate typed from either takes the same step here.
TEST(Mlp, SquaredErrorIsHalfTheSquareWithGradientOutputMinusTarget) {
  const Mlp net(1, {}, 1, Activation::linear, 0.01, Task::regression);
  const Eigen::VectorXd p = Eigen::VectorXd::Zero(net.parameter_count());  // output 0
  Eigen::MatrixXd x(1, 2), y(1, 2);
  x << 1.0, 1.0;
  y << 2.0, 4.0;
  LaneNet::Workspace ws = net.lanes().make_workspace(2);
  net.lanes().forward(broadcast(p), broadcast(x), 2, ws);
  EXPECT_EQ(net.lanes().loss_sum(broadcast(y), 2, ws)[0], 0.5 * 4 + 0.5 * 16);
  net.lanes().loss_gradient(broadcast(y), 2, ws);
  EXPECT_EQ(ws.delta.back()(0, 0), -2.0 / 2);  // (o - t) / b
  EXPECT_EQ(ws.delta.back()(0, 1), -4.0 / 2);
}

// mse on classes: 1/2 (p - y)^2 of the output probabilities, p = sigmoid(0) = 1/2 here.
TEST(Mlp, SquaredErrorOnTwoClassesReadsTheSigmoidsProbability) {
  const Mlp net(1, {}, 1, Activation::linear, 0.01, Task::binary, Loss::mse);
  const Eigen::VectorXd p = Eigen::VectorXd::Zero(net.parameter_count());  // logit 0
  Eigen::MatrixXd x(1, 2), y(1, 2);
  x << 1.0, -1.0;
  y << 1.0, 0.0;
  LaneNet::Workspace ws = net.lanes().make_workspace(2);
  net.lanes().forward(broadcast(p), broadcast(x), 2, ws);
  EXPECT_EQ(net.lanes().loss_sum(broadcast(y), 2, ws)[0], 0.5 * 0.25 + 0.5 * 0.25);
  net.lanes().loss_gradient(broadcast(y), 2, ws);
  EXPECT_EQ(ws.delta.back()(0, 0), (-0.5 * 0.25) / 2);  // (p - y) p (1 - p) / b
  EXPECT_EQ(ws.delta.back()(0, 1), (0.5 * 0.25) / 2);
}

TEST(Mlp, CrossEntropyOnARegressionTargetIsRefused) {
  EXPECT_THROW(Mlp(2, {3}, 1, Activation::tanh, 0.01, Task::regression, Loss::cross_entropy),
               std::invalid_argument);
  EXPECT_EQ(Mlp(2, {3}, 1, Activation::tanh, 0.01, Task::regression).loss(), Loss::mse);
  EXPECT_EQ(Mlp(2, {3}, 2, Activation::tanh, 0.01, Task::multiclass).loss(), Loss::cross_entropy);
}

TEST(Mlp, ForwardGivesTheLogitsOfALaneOfAPack) {
  const Mlp net(2, {6, 3}, 2, Activation::tanh, 0.01, Task::multiclass);
  Rng rng(3);
  const Eigen::VectorXd p = net.initial_parameters(Init::glorot, rng);
  Eigen::MatrixXd x(2, 7);
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = uniform(rng, -3, 3);
  Mlp::Workspace one = net.make_workspace(7);
  const Eigen::MatrixXd logits = net.forward(p.data(), x, one);
  LaneNet::Workspace pack = net.lanes().make_workspace(7);
  net.lanes().forward(broadcast(p), broadcast(x), 7, pack);
  for (Eigen::Index j = 0; j < 7; ++j)
    for (Eigen::Index i = 0; i < 2; ++i) EXPECT_EQ(logits(i, j), pack.out.back()(3, j * 2 + i));
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
