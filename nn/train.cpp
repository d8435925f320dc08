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

TrainResult train(const TrialConfig& config, const Dataset& data, std::uint64_t seed,
                  const EpochObserver& observer) {
  const TrainJob job{&config, seed, observer};
  return std::move(Pack(std::span(&job, 1), data).run().front());
}

std::vector<std::size_t> trained_with_first(std::span<const TrialConfig* const> configs) {
  std::vector<std::size_t> mates{0};
  for (std::size_t i = 1; i < configs.size() && mates.size() < Pack::kCapacity; ++i)
    if (can_share_pack(*configs[0], *configs[i])) mates.push_back(i);
  return mates;
}

int trainings_side_by_side() {
  return Pack::kCapacity;
}

std::vector<TrainResult> train_jobs(std::span<const TrainJob> jobs, const Dataset& data) {
  // A common case without copies: all jobs fit one pack.
  const auto fits_one_pack = [&] {
    if (jobs.size() > Pack::kCapacity) return false;
    for (const TrainJob& job : jobs)
      if (!can_share_pack(*jobs.front().config, *job.config)) return false;
    return true;
  };
  if (jobs.empty()) return {};
  if (fits_one_pack()) return Pack(jobs, data).run();

  std::vector<TrainResult> results(jobs.size());
  std::vector<std::size_t> waiting(jobs.size());  // indices of the jobs not trained yet
  std::iota(waiting.begin(), waiting.end(), std::size_t{0});
  while (!waiting.empty()) {
    std::vector<const TrialConfig*> configs;
    for (std::size_t i : waiting) configs.push_back(jobs[i].config);
    const std::vector<std::size_t> mates = trained_with_first(configs);
    std::vector<TrainJob> pack;
    for (std::size_t k : mates) pack.push_back(jobs[waiting[k]]);
    std::vector<TrainResult> trained = Pack(pack, data).run();
    for (std::size_t k = mates.size(); k-- > 0;) {  // from the back: erasing keeps the rest
      results[waiting[mates[k]]] = std::move(trained[k]);
      waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(mates[k]));
    }
  }
  return results;
}

TrainResult summarize(std::span<const EpochMetrics> curve, const ConvergenceConfig& config,
                      bool has_validation, double baseline_loss, bool penalised) {
  TrainResult r;
  r.baseline_loss = baseline_loss;
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
  r.verdict = judge(curve, config, baseline_loss, has_validation, penalised);
  return r;
}

}  // namespace nn
