// Micro benchmarks of the numerics: whole trainings and single steps.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "nn/config.h"
#include "nn/lanes.h"
#include "nn/mlp.h"
#include "nn/random.h"
#include "nn/train.h"
#include "nn/vector_math.h"

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

// The same training for a full pack: kLanes learning rates side by side (nn::train_jobs: one pack),
// with the activation as argument (an index into nn::kActivationNames). Time per pack.
void BM_TrainPackCircle_2_8_8_1(benchmark::State& state) {
  std::array<nn::TrialConfig, nn::kLanes> configs;
  std::vector<nn::TrainJob> jobs;
  for (int l = 0; l < nn::kLanes; ++l) {
    nn::TrialConfig& c = configs[static_cast<std::size_t>(l)];
    c.data.dataset = nn::DatasetKind::circle;
    c.data.points = 500;
    c.data.train_fraction = 0.5;
    c.model.hidden = {8, 8};
    c.model.activation = static_cast<nn::Activation>(state.range(0));
    c.train.batch_size = 10;
    c.train.epochs = 200;
    c.train.learning_rate = 0.003 * (l + 1);
    jobs.push_back({&c, static_cast<std::uint64_t>(l + 1), {}});
  }
  const nn::Dataset data = nn::make_dataset(configs[0].data, 42);
  for (auto _ : state) benchmark::DoNotOptimize(nn::train_jobs(jobs, data));
  state.counters["trainings/s"] =
      benchmark::Counter(nn::kLanes, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_TrainPackCircle_2_8_8_1)
    ->ArgName("activation")
    ->DenseRange(0, 3)
    ->Unit(benchmark::kMillisecond);

// One training step (forward, loss gradient, backward, update) of a full pack: kLanes 2-input,
// 1-output networks (binary cross-entropy) side by side, for every hidden shape x batch size x
// activation. The shape is the first argument (an index into kShapes), so names read like
// BM_TrainingStep/shape:1/batch:10/activation:1 (shape 8,8; tanh). Time per pack step; FLOP/s
// counts the model FLOPs of all kLanes networks.
const std::vector<std::vector<int>> kShapes = {{4, 2}, {8, 8}, {16, 16, 16}, {64, 64}};

struct Pack {
  Pack(const std::vector<int>& hidden, nn::Activation activation, Eigen::Index samples)
      : shape(2, hidden, 1, activation, 0.01, nn::Task::binary),
        net(shape.lanes()),
        x(nn::broadcast(Eigen::MatrixXd::Random(2, samples))),
        y(nn::broadcast((Eigen::MatrixXd::Random(1, samples).array() > 0).cast<double>())),
        ws(net.make_workspace(samples)),
        params(nn::kLanes, net.parameter_count()),
        grad(nn::kLanes, net.parameter_count()) {
    nn::Rng rng(1);
    for (int l = 0; l < nn::kLanes; ++l)
      params.row(l) = shape.initial_parameters(nn::Init::automatic, rng).transpose();
  }
  double forward_flops_per_sample() const {
    double f = 0;
    for (int l = 0; l < net.layers(); ++l) f += 2.0 * net.width(l) * net.width(l + 1);
    return f * nn::kLanes;
  }
  nn::Mlp shape;  // the layout and initialisation; its lanes() train
  const nn::LaneNet& net;
  nn::LaneMatrix x, y;
  nn::LaneNet::Workspace ws;
  nn::LaneMatrix params, grad;
};

void BM_TrainingStep(benchmark::State& state) {
  const Eigen::Index batch = state.range(1);
  Pack p(kShapes.at(static_cast<std::size_t>(state.range(0))),
         static_cast<nn::Activation>(state.range(2)), batch);
  for (auto _ : state) {
    p.net.forward(p.params, p.x, batch, p.ws);
    p.net.loss_gradient(p.y, batch, p.ws);
    p.net.backward(p.params, p.x, batch, p.ws, p.grad);
    p.params -= 1e-9 * p.grad;
    benchmark::ClobberMemory();
  }
  state.counters["FLOP/s"] =
      benchmark::Counter(3.0 * p.forward_flops_per_sample() * static_cast<double>(batch),
                         benchmark::Counter::kIsIterationInvariantRate);
}

void TrainingStepArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"shape", "batch", "activation"});
  for (std::size_t shape = 0; shape < kShapes.size(); ++shape)
    for (const int batch : {1, 10, 32})
      for (std::size_t a = 0; a < nn::kActivationNames.size(); ++a)
        b->Args({static_cast<std::int64_t>(shape), batch, static_cast<std::int64_t>(a)});
}
BENCHMARK(BM_TrainingStep)->Apply(TrainingStepArgs);

// One epoch's evaluation of a pack on one split: the forward pass, loss and accuracy over 250
// samples (a split of the bench sweep's circle data), as a pack (nn/pack.h) does for each split
// after every epoch. tanh.
void BM_EpochEvaluation(benchmark::State& state) {
  constexpr Eigen::Index kSamples = 250;
  Pack p(kShapes.at(static_cast<std::size_t>(state.range(0))), nn::Activation::tanh, kSamples);
  for (auto _ : state) {
    p.net.forward(p.params, p.x, kSamples, p.ws);
    benchmark::DoNotOptimize(p.net.loss_sum(p.y, kSamples, p.ws));
    benchmark::DoNotOptimize(p.net.correct(p.y, kSamples, p.ws));
  }
  state.counters["FLOP/s"] = benchmark::Counter(p.forward_flops_per_sample() * kSamples,
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EpochEvaluation)->ArgName("shape")->DenseRange(0, 3);

// The passes of the wide networks of run_bench.py's wide and digits sweeps, one at a time, for a
// full pack: the shape is an index into kWide (20-64-64-1 and 20-128-128-1 with one output, as
// the CSV of bench/wide_sweep.yaml; 64-64-10 with ten classes, as digits), the second argument
// the samples (32: a training batch; 512: an evaluation block). pass 0: forward; 1: the loss
// gradient (softmax for ten classes); 2: backward. FLOP/s counts a pass's model FLOPs (2 x fan_in
// x fan_out per sample per layer forward, twice that backward) of all kLanes networks.
struct WideShape {
  int inputs;
  std::vector<int> hidden;
  int outputs;
};
const std::vector<WideShape> kWide = {{20, {64, 64}, 1}, {20, {128, 128}, 1}, {64, {64}, 10}};

void BM_WidePass(benchmark::State& state) {
  const WideShape& w = kWide.at(static_cast<std::size_t>(state.range(0)));
  const Eigen::Index samples = state.range(1);
  const int pass = static_cast<int>(state.range(2));
  const nn::Task task = w.outputs == 1 ? nn::Task::binary : nn::Task::multiclass;
  const nn::Mlp shape(w.inputs, w.hidden, w.outputs, nn::Activation::relu, 0.01, task);
  const nn::LaneNet& net = shape.lanes();
  Eigen::MatrixXd targets = Eigen::MatrixXd::Zero(w.outputs, samples);
  for (Eigen::Index j = 0; j < samples; ++j) targets(j % w.outputs, j) = 1;
  const nn::LaneMatrix x = nn::broadcast(Eigen::MatrixXd::Random(w.inputs, samples));
  const nn::LaneMatrix y = nn::broadcast(targets);
  nn::LaneNet::Workspace ws = net.make_workspace(samples);
  nn::LaneMatrix params(nn::kLanes, net.parameter_count()), grad(params);
  nn::Rng rng(1);
  for (int l = 0; l < nn::kLanes; ++l)
    params.row(l) = shape.initial_parameters(nn::Init::automatic, rng).transpose();
  net.forward(params, x, samples, ws);
  net.loss_gradient(y, samples, ws);
  for (auto _ : state) {
    if (pass == 0) net.forward(params, x, samples, ws);
    if (pass == 1) net.loss_gradient(y, samples, ws);
    if (pass == 2) net.backward(params, x, samples, ws, grad);
    benchmark::ClobberMemory();
  }
  double flops = 0;
  for (int l = 0; l < net.layers(); ++l) flops += 2.0 * net.width(l) * net.width(l + 1);
  flops *= nn::kLanes * static_cast<double>(samples) * (pass == 2 ? 2 : pass == 0 ? 1 : 0);
  state.counters["FLOP/s"] =
      benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_WidePass)
    ->ArgNames({"shape", "samples", "pass"})
    ->ArgsProduct({{0, 1, 2}, {32, 512}, {0, 1, 2}});

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
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * 32 * kSteps, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_FmaPeak);

#if NNSWEEP_SIMD_WIDE
// The same with AVX-512 (8 doubles a register, 32 registers): the peak of the eight-wide code
// nnsweep runs on such CPUs, and so the honest limit there. Skipped on other CPUs.
using Fma8 = double __attribute__((vector_size(64)));
__attribute__((target("avx512f,fma"), noinline)) void fma_peak_avx512(double* out, int steps) {
  Fma8 acc[16];
  for (int r = 0; r < 16; ++r) acc[r] = Fma8{} + 0.001 * r;
  const Fma8 m = Fma8{} + 0.999999, c = Fma8{} + 1e-7;
  for (int i = 0; i < steps; ++i)
    for (int r = 0; r < 16; ++r) acc[r] = acc[r] * m + c;
  for (int r = 1; r < 16; ++r) acc[0] += acc[r];
  for (int e = 0; e < 8; ++e) out[e] = acc[0][e];
}
void BM_FmaPeakAvx512(benchmark::State& state) {
  if (!nn::simd::has_avx512()) {
    state.SkipWithError("this CPU has no AVX-512");
    return;
  }
  constexpr int kSteps = 1000;
  double out[8];
  for (auto _ : state) {
    fma_peak_avx512(out, kSteps);
    benchmark::DoNotOptimize(out);
  }
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * 16 * 8 * kSteps, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_FmaPeakAvx512);
#endif

}  // namespace

BENCHMARK_MAIN();
