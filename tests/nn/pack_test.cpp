// The pack: trainings side by side in the lanes of one network (nn/pack.h).
#include "nn/pack.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <functional>
#include <span>

#include "nn/mlp.h"
#include "nn/training_support.h"

namespace nn {
namespace {

using testing_support::config_for;
using testing_support::expect_same_bits;

// The lanes of a pack never mix: whatever shares its pack, a training's curve and parameters
// are those of the same training run alone, to the bit. The pack mixes learning rates, seeds,
// initialisations, epoch counts, penalty rates, one training that diverges and one that an
// observer stops early.
TEST(Pack, EachResultIsTheTrainingAloneBitForBit) {
  for (Optimizer optimizer : {Optimizer::sgd, Optimizer::momentum, Optimizer::adam}) {
    std::vector<TrialConfig> configs(4, config_for(DatasetKind::spiral, {6, 5}, 0.03, 40));
    for (TrialConfig& c : configs) {
      c.data.validation_fraction = 0.2;
      c.model.activation = Activation::tanh;
      c.train.batch_size = 7;
      c.train.optimizer = optimizer;
      c.train.regularization = Regularization::l2;
    }
    configs[1].train.learning_rate = 0.003;
    configs[1].train.epochs = 25;
    configs[1].model.init = Init::playground;
    configs[1].train.regularization_rate = 0.01;
    configs[2].train.learning_rate = 1e4;  // diverges
    configs[3].train.momentum = 0.5;
    configs[3].train.beta1 = 0.8;
    ASSERT_TRUE(can_share_pack(configs[0], configs[3]));
    const Dataset data = make_dataset(configs[0].data, 5);
    const EpochObserver stop_at_12 = [](const EpochMetrics& m) { return m.epoch < 12; };
    std::vector<TrainJob> jobs;
    for (std::size_t i = 0; i < configs.size(); ++i)
      jobs.push_back({&configs[i], 100 + i, i == 3 ? stop_at_12 : EpochObserver{}});

    const std::vector<TrainResult> packed = Pack(jobs, data).run();
    ASSERT_EQ(packed.size(), 4u);
    EXPECT_EQ(packed[2].verdict.outcome, Outcome::diverged);
    EXPECT_TRUE(packed[3].stopped);
    for (std::size_t i = 0; i < jobs.size(); ++i)
      expect_same_bits(packed[i], train(configs[i], data, jobs[i].seed, jobs[i].observer),
                       std::string(to_string(optimizer)) + " job " + std::to_string(i));
    // A pack of two gives the same as well.
    const std::vector<TrainResult> pair = Pack(std::span(jobs).subspan(1, 2), data).run();
    expect_same_bits(pair[0], packed[1], "pair job 0");
    expect_same_bits(pair[1], packed[2], "pair job 1");
  }
}

// Class weights are per lane: a pack mixing train.class_weight none and balanced gives each
// training its result alone, bit for bit, and a lane without weights the bits of a pack without
// any. The balanced accuracy and macro F1 are part of the comparison.
TEST(Pack, ClassWeightsStayInTheirLane) {
  for (Task task : {Task::binary, Task::multiclass}) {
    const Dataset data = testing_support::imbalanced_data(task, 8, 60);
    std::vector<TrialConfig> configs(4, config_for(DatasetKind::csv, {5}, 0.1, 15));
    for (TrialConfig& c : configs) c.train.batch_size = 7;
    configs[1].train.class_weight = ClassWeight::balanced;
    configs[3].train.class_weight = ClassWeight::balanced;
    configs[3].train.learning_rate = 0.02;
    ASSERT_TRUE(can_share_pack(configs[0], configs[1]));
    std::vector<TrainJob> jobs;
    for (std::size_t i = 0; i < configs.size(); ++i) jobs.push_back({&configs[i], 60 + i, {}});
    const std::vector<TrainResult> packed = Pack(jobs, data).run();
    for (std::size_t i = 0; i < jobs.size(); ++i)
      expect_same_bits(packed[i], train(configs[i], data, jobs[i].seed),
                       std::string(to_string(task)) + " job " + std::to_string(i));
    const std::vector<TrainResult> unweighted =
        Pack(std::vector<TrainJob>{jobs[0], jobs[2]}, data).run();
    expect_same_bits(unweighted[0], packed[0], "lane 0 beside weighted lanes");
    expect_same_bits(unweighted[1], packed[2], "lane 2 beside weighted lanes");
    // The same seed with and without weights: the weights move the parameters.
    TrialConfig plain = configs[1];
    plain.train.class_weight = ClassWeight::none;
    EXPECT_NE(train(plain, data, jobs[1].seed).parameters, packed[1].parameters);
  }
}

// The per-epoch metrics are those of the final parameters over the whole split, also when the
// split is larger than one evaluation block (512 samples): recomputed here sample by sample.
TEST(Pack, EvaluatesLargeSplitsWhole) {
  TrialConfig c = config_for(DatasetKind::circle, {5}, 0.1, 3);
  c.data.points = 2500;  // 1250 training samples: three blocks, the last one partial
  const Dataset data = make_dataset(c.data, 9);
  const TrainResult r = train(c, data, 4);
  const Mlp net(data.inputs(), c.model.hidden, data.outputs(), c.model.activation,
                c.model.leaky_relu_slope, data.task);
  Mlp::Workspace ws = net.make_workspace(data.train.size());
  const Eigen::MatrixXd z = net.forward(r.parameters.data(), data.train.x, ws);
  double loss = 0, correct = 0;
  std::vector<double> hits(2, 0.0), predicted(2, 0.0), actual(2, 0.0);
  for (Eigen::Index j = 0; j < z.cols(); ++j) {
    const double zj = z(0, j), t = data.train.y(0, j);
    loss += std::max(zj, 0.0) - zj * t + std::log1p(std::exp(-std::abs(zj)));
    correct += (zj > 0) == (t > 0.5);
    ++predicted[zj > 0], ++actual[t > 0.5];
    if ((zj > 0) == (t > 0.5)) ++hits[zj > 0];
  }
  const double n = static_cast<double>(z.cols());
  EXPECT_NEAR(r.final.train_loss, loss / n, 1e-12);
  EXPECT_DOUBLE_EQ(r.final.train_accuracy, correct / n);
  const ClassScores scores = class_scores(hits, predicted, actual);
  EXPECT_EQ(r.final.train_balanced_accuracy, scores.balanced_accuracy);
  EXPECT_EQ(r.final.train_macro_f1, scores.macro_f1);
}

// A snapshot at epoch k is the final parameters of the same training asked for k epochs, to the
// bit, in a pack with others and alone; asking for snapshots changes nothing else.
TEST(Pack, SnapshotAtEpochKIsTheTrainingOfKEpochs) {
  std::vector<TrialConfig> configs(3, config_for(DatasetKind::xor_, {5, 3}, 0.03, 30));
  configs[1].train.learning_rate = 0.1;
  configs[2].train.learning_rate = 1e4;  // diverges before its later snapshots
  const Dataset data = make_dataset(configs[0].data, 7);
  const std::vector<int> asked = {30, 0, 12, 3, 12, -1, 99};
  std::vector<TrainJob> plain, with;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    plain.push_back({&configs[i], 40 + i, {}});
    with.push_back({&configs[i], 40 + i, {}, asked});
  }
  const std::vector<TrainResult> a = train_jobs(plain, data), b = train_jobs(with, data);
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const std::string what = "job " + std::to_string(i);
    expect_same_bits(b[i], a[i], what);
    EXPECT_TRUE(a[i].snapshots.empty());
    std::vector<int> epochs;
    for (const auto& [epoch, parameters] : b[i].snapshots) {
      epochs.push_back(epoch);
      TrialConfig shorter = configs[i];
      shorter.train.epochs = std::max(epoch, 1);
      const TrainResult k = train(shorter, data, with[i].seed);
      if (epoch == 0) {  // no training of 0 epochs: its initial parameters instead
        Rng rng(with[i].seed);
        const Mlp mlp(data.inputs(), shorter.model.hidden, data.outputs(), shorter.model.activation,
                      0.01, data.task);
        const Eigen::VectorXd init = mlp.initial_parameters(shorter.model.init, rng);
        EXPECT_EQ(parameters, std::vector<double>(init.begin(), init.end())) << what;
        continue;
      }
      TrainResult alone = k;
      alone.parameters = parameters;
      expect_same_bits(alone, k, what + " epoch " + std::to_string(epoch));
    }
    if (i < 2)
      EXPECT_EQ(epochs, (std::vector<int>{0, 3, 12, 30})) << what;
    else
      EXPECT_EQ(epochs.front(), 0) << what;
  }
  // Alone (one job, the path of train()) as in a pack.
  const std::vector<TrainResult> one = train_jobs(std::span(with).subspan(1, 1), data);
  ASSERT_EQ(one[0].snapshots.size(), b[1].snapshots.size());
  for (std::size_t s = 0; s < one[0].snapshots.size(); ++s)
    EXPECT_EQ(one[0].snapshots[s], b[1].snapshots[s]);
}

TEST(Pack, SharesOnlyTheSameLayersLossBatchAndPenalty) {
  TrialConfig a = config_for(DatasetKind::circle, {8, 8}, 0.03, 10), b = a;
  b.train.learning_rate = 0.3;
  b.train.epochs = 99;
  b.model.init = Init::he;
  b.convergence.learned_below = 0.2;
  b.train.class_weight = ClassWeight::balanced;  // per lane
  b.train.optimizer = Optimizer::adam;           // per lane
  b.model.activation = Activation::relu;         // per lane
  EXPECT_TRUE(can_share_pack(a, b));
  for (auto change : std::vector<std::function<void(TrialConfig&)>>{
           [](TrialConfig& c) { c.model.hidden = {8}; },
           [](TrialConfig& c) { c.model.loss = Loss::mse; },
           [](TrialConfig& c) { c.train.batch_size = 11; },
           [](TrialConfig& c) { c.train.regularization = Regularization::l1; }}) {
    TrialConfig c = a;
    change(c);
    EXPECT_FALSE(can_share_pack(a, c));
  }
}

}  // namespace
}  // namespace nn
