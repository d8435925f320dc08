// Micro benchmarks of the numerics: whole trainings and single steps.
#include <benchmark/benchmark.h>

#include "nn/mlp.h"
#include "nn/train.h"

namespace {

// One whole training: 2-8-8-1 tanh on circle (500 points, 250 of them training), batch 10,
// 200 epochs, plain SGD; per-epoch evaluation of train and test included.
void BM_TrainCircle_2_8_8_1_Tanh(benchmark::State& state) {
  nn::TrialConfig c;
  c.data.dataset = nn::DatasetKind::circle;
  c.data.points = 500;
  c.data.train_fraction = 0.5;
  c.model.hidden = {8, 8};
  c.model.activation = nn::Activation::tanh;
  c.train.batch_size = 10;
  c.train.epochs = 200;
  const nn::Dataset data = nn::make_dataset(c.data, 42);
  for (auto _ : state) benchmark::DoNotOptimize(nn::train(c, data, 1));
  state.counters["sample_epochs/s"] =
      benchmark::Counter(250.0 * 200, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_TrainCircle_2_8_8_1_Tanh)->Unit(benchmark::kMillisecond);

// One training step (forward, loss, backward, update) of a 2-input network.
void BM_TrainingStep(benchmark::State& state) {
  const std::vector<int> hidden(state.range(0), static_cast<int>(state.range(1)));
  const Eigen::Index batch = state.range(2);
  const nn::Mlp net(2, hidden, 1, nn::Activation::tanh, 0.01, nn::Task::binary);
  nn::Rng rng(1);
  Eigen::VectorXd params = net.initial_parameters(nn::Init::automatic, rng);
  Eigen::VectorXd grad(params.size());
  Eigen::MatrixXd x = Eigen::MatrixXd::Random(2, batch);
  Eigen::MatrixXd y = (Eigen::MatrixXd::Random(1, batch).array() > 0).cast<double>();
  nn::Mlp::Workspace ws = net.make_workspace(batch);
  for (auto _ : state) {
    net.forward(params.data(), x, ws);
    net.loss_and_gradient(y, ws, batch, true);
    net.backward(params.data(), x, ws, grad.data());
    params -= 1e-9 * grad;
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_TrainingStep)
    ->ArgNames({"layers", "width", "batch"})
    ->Args({2, 8, 1})
    ->Args({2, 8, 10})
    ->Args({2, 8, 32})
    ->Args({2, 64, 32});

// The machine's limits for the effective rates above, measured by the same binary (same
// compiler flags): single-core double-precision GEMM through Eigen on large matrices, and the
// peak of independent fused multiply-adds on vector registers.
void BM_EigenGemm(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const Eigen::MatrixXd a = Eigen::MatrixXd::Random(n, n), b = Eigen::MatrixXd::Random(n, n);
  Eigen::MatrixXd c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(n * n * n),
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EigenGemm)->Arg(512)->Unit(benchmark::kMillisecond);

void BM_FmaPeak(benchmark::State& state) {
  // 32 independent accumulators (8 registers of 4 doubles with AVX2): enough in flight to
  // hide the FMA latency, so the loop runs at the FMA units' throughput.
  using Lanes = Eigen::Array<double, 32, 1>;
  Lanes acc = Lanes::Random(), m = Lanes::Constant(0.999999), c = Lanes::Constant(1e-7);
  constexpr int kSteps = 1000;
  for (auto _ : state) {
    for (int i = 0; i < kSteps; ++i) acc = acc * m + c;
    benchmark::DoNotOptimize(acc.data());
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * 32 * kSteps,
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_FmaPeak);

}  // namespace

BENCHMARK_MAIN();
