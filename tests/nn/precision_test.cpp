// train.precision float32: the float kernels (LaneNetOf<float>, PackOf<float>) are correct to a
// float's accuracy and keep the determinism promise within float32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <tuple>

#include "nn/mlp.h"
#include "nn/pack.h"
#include "nn/predict.h"
#include "nn/training_support.h"

namespace nn {
namespace {

using testing_support::config_for;
using testing_support::expect_same_bits;
using Net32 = LaneNetOf<float>;
using Matrix32 = LaneMatrixOf<float>;
constexpr int kLanes32 = kLanesOf<float>;

Eigen::MatrixXd targets(Task task, int outputs, int n, Rng& rng) {
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(outputs, n);
  for (int j = 0; j < n; ++j) {
    if (task == Task::regression)
      y(0, j) = uniform(rng, -1, 1);
    else if (task == Task::binary)
      y(0, j) = uniform(rng, 0, 1) < 0.5 ? 0.0 : 1.0;
    else
      y(uniform_int(rng, 0, outputs - 1), j) = 1.0;
  }
  return y;
}

// A float32 network's parameters (every lane its own draw) and a batch of inputs.
struct Batch {
  Matrix32 params, x, y;
};
Batch batch(const Mlp& shape, Task task, int inputs, int outputs, int b, std::uint64_t seed) {
  Rng rng(seed);
  Batch out{Matrix32(kLanes32, shape.parameter_count()), Matrix32(kLanes32, inputs * b), {}};
  for (int l = 0; l < kLanes32; ++l)
    out.params.row(l) = shape.initial_parameters(Init::glorot, rng).transpose().cast<float>();
  for (Eigen::Index i = 0; i < out.x.size(); ++i)
    out.x(i) = static_cast<float>(uniform(rng, -2, 2));
  out.y = broadcast<float>(targets(task, outputs, b, rng));
  return out;
}

// The mean data loss of every lane, in float, as training computes it.
LanesOf<float> mean_loss(const Net32& net, const Batch& d, Eigen::Index b) {
  Net32::Workspace ws = net.make_workspace(b);
  net.forward(d.params, d.x, b, ws);
  return net.loss_sum(d.y, b, ws) / static_cast<float>(b);
}

// backward() against central differences of the float loss, every parameter of every lane,
// for every smooth activation and output: within a float's reach (step 1e-3, the differences'
// rounding below 1e-4, their truncation about 1e-6). relu's kinks are in the next test.
TEST(Float32, GradientMatchesFiniteDifferencesOfTheFloatLoss) {
  for (Activation activation : {Activation::tanh, Activation::sigmoid, Activation::linear,
                                Activation::elu, Activation::softplus})
    for (Task task : {Task::regression, Task::binary, Task::multiclass}) {
      const int outputs = task == Task::multiclass ? 3 : 1, b = 6;
      const Mlp shape(3, {5, 4}, outputs, activation, 0.1, task);
      const Net32 net(3, {5, 4}, outputs, activation, 0.1, task);
      Batch d = batch(shape, task, 3, outputs, b, 5);
      Net32::Workspace ws = net.make_workspace(b);
      Matrix32 grad(kLanes32, net.parameter_count());
      net.forward(d.params, d.x, b, ws);
      net.loss_gradient(d.y, b, ws);
      net.backward(d.params, d.x, b, ws, grad);
      const std::string where =
          std::string(to_string(activation)) + ", task " + std::to_string(static_cast<int>(task));
      for (Eigen::Index e = 0; e < net.parameter_count(); ++e) {
        const Matrix32 saved = d.params;
        d.params.col(e) += 1e-3f;
        const LanesOf<float> up = mean_loss(net, d, b);
        d.params.col(e) -= 2e-3f;
        const LanesOf<float> down = mean_loss(net, d, b);
        d.params = saved;
        for (int l = 0; l < kLanes32; ++l) {
          const double numeric = (double{up[l]} - double{down[l]}) / 2e-3;
          EXPECT_NEAR(grad(l, e), numeric, 2e-3 * (1 + std::abs(numeric)))
              << where << ", parameter " << e << ", lane " << l;
        }
      }
    }
}

// backward() in float against float64's (held to finite differences in mlp_test.cpp) at the
// same parameters and data, for every activation and output: to a float's accuracy.
TEST(Float32, GradientMatchesTheFloat64Gradient) {
  for (Activation activation :
       {Activation::relu, Activation::tanh, Activation::sigmoid, Activation::linear,
        Activation::leaky_relu, Activation::elu, Activation::softplus})
    for (Task task : {Task::regression, Task::binary, Task::multiclass}) {
      const int outputs = task == Task::multiclass ? 3 : 1, b = 6;
      const Mlp shape(3, {5, 4}, outputs, activation, 0.1, task);
      const Net32 net(3, {5, 4}, outputs, activation, 0.1, task);
      const Batch d = batch(shape, task, 3, outputs, b, 5);
      Net32::Workspace ws = net.make_workspace(b);
      Matrix32 grad(kLanes32, net.parameter_count());
      net.forward(d.params, d.x, b, ws);
      net.loss_gradient(d.y, b, ws);
      net.backward(d.params, d.x, b, ws, grad);
      for (int half = 0; half < kLanes32 / kLanes; ++half) {
        const auto rows = Eigen::seqN(half * kLanes, kLanes);
        const LaneMatrix params = d.params(rows, Eigen::all).cast<double>();
        const LaneMatrix x = d.x(rows, Eigen::all).cast<double>();
        const LaneMatrix y = d.y(rows, Eigen::all).cast<double>();
        LaneNet::Workspace ws64 = shape.lanes().make_workspace(b);
        LaneMatrix grad64(kLanes, shape.parameter_count());
        shape.lanes().forward(params, x, b, ws64);
        shape.lanes().loss_gradient(y, b, ws64);
        shape.lanes().backward(params, x, b, ws64, grad64);
        const double scale = grad64.abs().maxCoeff();
        for (Eigen::Index e = 0; e < grad64.cols(); ++e)
          for (int l = 0; l < kLanes; ++l)
            EXPECT_NEAR(grad(half * kLanes + l, e), grad64(l, e), 1e-5 * (1 + scale))
                << to_string(activation) << ", parameter " << e << ", lane " << l;
      }
    }
}

// Eight floats an instruction (AVX) or sixteen (AVX-512): the same bits, as for doubles.
TEST(Float32, APassGivesTheSameBitsAtEveryVectorWidth) {
  for (const auto& [activation, task] :
       {std::tuple{Activation::tanh, Task::multiclass},
        std::tuple{Activation::sigmoid, Task::binary}, std::tuple{Activation::relu, Task::binary},
        std::tuple{Activation::elu, Task::regression}})
    for (const int b : {1, 3, 7, 33}) {
      const int outputs = task == Task::multiclass ? 3 : 1;
      const Mlp shape(3, {5, 9, 2, 16, 1}, outputs, activation, 0.01, task);
      const auto run = [&](int width, Matrix32& grad, Matrix32& logits, LanesOf<float>& loss) {
        Net32 net(3, {5, 9, 2, 16, 1}, outputs, activation, 0.01, task);
        if (!net.use_vector_width(width)) return false;
        const Batch d = batch(shape, task, 3, outputs, b, 11);
        Net32::Workspace ws = net.make_workspace(b);
        grad.resize(kLanes32, net.parameter_count());
        net.forward(d.params, d.x, b, ws);
        logits = ws.out.back();
        loss = net.loss_sum(d.y, b, ws);
        net.loss_gradient(d.y, b, ws);
        net.backward(d.params, d.x, b, ws, grad);
        return true;
      };
      Matrix32 grad4, grad8, logits4, logits8;
      LanesOf<float> loss4, loss8;
      ASSERT_TRUE(run(4, grad4, logits4, loss4));
      if (!run(8, grad8, logits8, loss8)) GTEST_SKIP() << "this CPU has no AVX-512";
      const auto same = [](const auto& x, const auto& y) {
        return x.size() == y.size() &&
               std::memcmp(x.data(), y.data(), sizeof(float) * x.size()) == 0;
      };
      EXPECT_TRUE(same(grad4, grad8)) << to_string(activation) << ", batch " << b;
      EXPECT_TRUE(same(logits4, logits8)) << to_string(activation) << ", batch " << b;
      EXPECT_TRUE(same(loss4, loss8)) << to_string(activation) << ", batch " << b;
    }
}

// Eight trainings share a float32 pack, each the same bits as alone; float32 never shares a pack
// with float64, and its results are float64's to a float's accuracy, but not the same bits.
TEST(Float32, PackedTrainingsAreEachTheTrainingAloneBitForBit) {
  for (Optimizer optimizer : {Optimizer::sgd, Optimizer::momentum, Optimizer::adam}) {
    std::vector<TrialConfig> configs(9, config_for(DatasetKind::spiral, {6, 5}, 0.03, 30));
    for (std::size_t i = 0; i < configs.size(); ++i) {
      TrialConfig& c = configs[i];
      c.data.validation_fraction = 0.2;
      c.model.activation = Activation::tanh;
      c.train.batch_size = 7;
      c.train.optimizer = optimizer;
      c.train.precision = Precision::float32;
      c.train.learning_rate = 0.003 * static_cast<double>(i + 1);
      c.train.epochs = 20 + static_cast<int>(i);
    }
    configs[2].train.learning_rate = 1e4;  // diverges
    const Dataset data = make_dataset(configs[0].data, 5);
    std::vector<TrainJob> jobs;
    for (std::size_t i = 0; i < configs.size(); ++i) jobs.push_back({&configs[i], 100 + i, {}});
    std::vector<const TrialConfig*> pointers;
    for (const TrialConfig& c : configs) pointers.push_back(&c);
    EXPECT_EQ(trained_with_first(pointers).size(), 8u);  // a full float32 pack

    const std::vector<TrainResult> packed = train_jobs(jobs, data);
    ASSERT_EQ(packed.size(), 9u);
    EXPECT_EQ(packed[2].verdict.outcome, Outcome::diverged);
    for (std::size_t i = 0; i < jobs.size(); ++i)
      expect_same_bits(packed[i], train(configs[i], data, jobs[i].seed),
                       std::string(to_string(optimizer)) + " job " + std::to_string(i));

    TrialConfig wide = configs[0];
    wide.train.precision = Precision::float64;
    EXPECT_FALSE(can_share_pack(configs[0], wide));
    const TrainResult double_result = train(wide, data, jobs[0].seed);
    EXPECT_NE(double_result.final.train_loss, packed[0].final.train_loss);
    EXPECT_NEAR(double_result.final.train_loss, packed[0].final.train_loss,
                1e-3 * double_result.final.train_loss);
    // The parameters are floats, reported as doubles.
    for (double p : packed[0].parameters) EXPECT_EQ(p, static_cast<double>(static_cast<float>(p)));
  }
}

// A float32 Mlp (a saved float32 model, predict) computes in floats: its logits are the float
// kernels' to the bit, whatever lane or batch a sample is in.
TEST(Float32, MlpForwardIsTheFloatKernelsForward) {
  for (Task task : {Task::binary, Task::multiclass, Task::regression}) {
    const int outputs = task == Task::multiclass ? 3 : 1, n = 13;
    const Mlp single(2, {7}, outputs, Activation::tanh, 0.01, task, Loss::automatic,
                     Precision::float32);
    const Mlp wide(2, {7}, outputs, Activation::tanh, 0.01, task);
    EXPECT_EQ(single.precision(), Precision::float32);
    EXPECT_EQ(wide.precision(), Precision::float64);
    Rng rng(3);
    Eigen::VectorXd p = wide.initial_parameters(Init::glorot, rng);
    p = p.cast<float>().cast<double>();
    Eigen::MatrixXd x(2, n);
    for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = uniform(rng, -2, 2);
    const Eigen::MatrixXd logits =
        nn::logits(single, std::span<const double>(p.data(), p.size()), x);
    const Net32 net(2, {7}, outputs, Activation::tanh, 0.01, task);
    Net32::Workspace ws = net.make_workspace(1);
    for (Eigen::Index j = 0; j < n; ++j) {
      net.forward(broadcast<float>(p), broadcast<float>(x.col(j)), 1, ws);
      for (int i = 0; i < outputs; ++i)
        EXPECT_EQ(logits(i, j), static_cast<double>(ws.out.back()(0, i))) << j;
    }
    const Eigen::MatrixXd double_logits =
        nn::logits(wide, std::span<const double>(p.data(), p.size()), x);
    EXPECT_NE(logits, double_logits);
    EXPECT_LT((logits - double_logits).cwiseAbs().maxCoeff(), 1e-5);
  }
}

}  // namespace
}  // namespace nn
