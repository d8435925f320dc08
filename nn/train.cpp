#include "nn/train.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <numeric>

#include "nn/pack.h"

namespace nn {

Monitor resolve_monitor(Monitor monitor, bool has_validation) {
  if (monitor != Monitor::automatic) return monitor;
  return has_validation ? Monitor::val_loss : Monitor::train_loss;
}

namespace {

// A pack of jobs that can share one, in the precision of their train.precision.
std::vector<TrainResult> run_pack(std::span<const TrainJob> jobs, const Dataset& data) {
  if (jobs.front().config->train.precision == Precision::float32)
    return PackOf<float>(jobs, data).run();
  return Pack(jobs, data).run();
}

}  // namespace

TrainResult train(const TrialConfig& config, const Dataset& data, std::uint64_t seed,
                  const EpochObserver& observer) {
  const TrainJob job{&config, seed, observer};
  return std::move(run_pack(std::span(&job, 1), data).front());
}

// A pack of mixed activations computes every activation present for every lane, so other
// activations join only a pack that the first's own would leave at least half empty: with more,
// they are about as well off in a pack of their own (e.g. relu and tanh x three optimizers: two
// packs of three either way, and the mixed ones would cost more).
std::vector<std::size_t> trained_with_first(std::span<const TrialConfig* const> configs) {
  const ModelConfig& lead = configs[0]->model;
  const auto same_activation = [&](const TrialConfig& c) {
    return c.model.activation == lead.activation &&
           (lead.activation != Activation::leaky_relu ||
            c.model.leaky_relu_slope == lead.leaky_relu_slope);
  };
  std::vector<std::size_t> mates{0};
  const auto capacity =
      static_cast<std::size_t>(trainings_side_by_side(configs[0]->train.precision));
  for (std::size_t i = 1; i < configs.size() && mates.size() < capacity; ++i)
    if (can_share_pack(*configs[0], *configs[i]) && same_activation(*configs[i]))
      mates.push_back(i);
  if (mates.size() > capacity / 2) return mates;
  for (std::size_t i = 1; i < configs.size() && mates.size() < capacity; ++i)
    if (can_share_pack(*configs[0], *configs[i]) && !same_activation(*configs[i]))
      mates.push_back(i);
  std::sort(mates.begin(), mates.end());
  return mates;
}

int trainings_side_by_side() {
  return Pack::kCapacity;
}

int trainings_side_by_side(Precision precision) {
  return precision == Precision::float32 ? PackOf<float>::kCapacity : Pack::kCapacity;
}

std::vector<TrainResult> train_jobs(std::span<const TrainJob> jobs, const Dataset& data) {
  // A common case without copies: all jobs fit one pack.
  const auto fits_one_pack = [&] {
    if (jobs.size() >
        static_cast<std::size_t>(trainings_side_by_side(jobs.front().config->train.precision)))
      return false;
    for (const TrainJob& job : jobs)
      if (!can_share_pack(*jobs.front().config, *job.config)) return false;
    return true;
  };
  if (jobs.empty()) return {};
  if (fits_one_pack()) return run_pack(jobs, data);

  std::vector<TrainResult> results(jobs.size());
  std::vector<std::size_t> waiting(jobs.size());  // indices of the jobs not trained yet
  std::iota(waiting.begin(), waiting.end(), std::size_t{0});
  while (!waiting.empty()) {
    std::vector<const TrialConfig*> configs;
    for (std::size_t i : waiting) configs.push_back(jobs[i].config);
    const std::vector<std::size_t> mates = trained_with_first(configs);
    std::vector<TrainJob> pack;
    for (std::size_t k : mates) pack.push_back(jobs[waiting[k]]);
    std::vector<TrainResult> trained = run_pack(pack, data);
    for (std::size_t k = mates.size(); k-- > 0;) {  // from the back: erasing keeps the rest
      results[waiting[mates[k]]] = std::move(trained[k]);
      waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(mates[k]));
    }
  }
  return results;
}

ClassScores class_scores(std::span<const double> hits, std::span<const double> predicted,
                         std::span<const double> actual) {
  double recall = 0, f1 = 0;
  int with_samples = 0, scored = 0;
  for (std::size_t c = 0; c < actual.size(); ++c) {
    if (actual[c] > 0) recall += hits[c] / actual[c], ++with_samples;
    if (actual[c] + predicted[c] > 0) f1 += 2 * hits[c] / (actual[c] + predicted[c]), ++scored;
  }
  if (with_samples == 0) return {};
  return {recall / with_samples, f1 / scored};
}

std::vector<int> class_labels(const Split& split, Task task) {
  std::vector<int> labels(static_cast<std::size_t>(split.size()));
  for (Eigen::Index j = 0; j < split.size(); ++j) {
    Eigen::Index label = split.y(0, j) > 0.5 ? 1 : 0;
    if (task == Task::multiclass) split.y.col(j).maxCoeff(&label);
    labels[static_cast<std::size_t>(j)] = static_cast<int>(label);
  }
  return labels;
}

std::vector<double> sample_weights(const Dataset& data, ClassWeight weighting) {
  if (weighting == ClassWeight::none) return {};
  assert(data.task != Task::regression);
  const std::vector<int> labels = class_labels(data.train, data.task);
  std::vector<double> count(static_cast<std::size_t>(std::max(data.outputs(), 2)), 0.0);
  for (int label : labels) ++count[static_cast<std::size_t>(label)];
  const auto present = std::count_if(count.begin(), count.end(), [](double k) { return k > 0; });
  const auto n = static_cast<double>(labels.size());
  std::vector<double> weights;
  weights.reserve(labels.size());
  for (int label : labels)
    weights.push_back(n / (static_cast<double>(present) * count[static_cast<std::size_t>(label)]));
  return weights;
}

TrainResult summarize(std::span<const EpochMetrics> curve, const ConvergenceConfig& config,
                      bool has_validation, double baseline_loss, bool penalised,
                      std::optional<int> stopped_epoch) {
  TrainResult r;
  r.baseline_loss = baseline_loss;
  r.stopped_epoch = stopped_epoch;
  if (curve.empty()) return r;
  r.initial = curve.front();
  r.final = curve.back();
  r.epochs_run = curve.back().epoch;
  // The best epoch by the selection loss: validation when it exists, never test.
  const auto selection = [&](const EpochMetrics& m) {
    return has_validation ? m.val_loss : m.train_loss;
  };
  r.best = curve.front();
  for (const EpochMetrics& m : curve)
    if (std::isfinite(selection(m)) && !(selection(m) >= selection(r.best))) r.best = m;
  r.verdict =
      judge(curve, config, baseline_loss, has_validation, penalised, stopped_epoch.has_value());
  return r;
}

}  // namespace nn
