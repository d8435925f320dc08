#include "runner/pack_fill.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "nn/train.h"

namespace runner {

double expected_pack_fill(const sweeps::Sweep& sweep, std::uint64_t trials) {
  // One entry per training (epoch siblings train once), in index order.
  std::vector<sweeps::Trial> firsts;
  std::unordered_set<std::uint64_t> seen;
  sweeps::TrialCache cache;
  for (std::uint64_t i = 0; i < std::min(trials, sweep.size()); ++i) {
    sweeps::Trial t = sweep.trial(i, cache);
    if (seen.insert(t.training).second) firsts.push_back(std::move(t));
  }
  if (firsts.empty()) return nn::trainings_side_by_side();
  // As runner/sweep_runner.cpp's GroupSource::take_group: the first waiting training and those
  // of the next kPackWindow on its dataset that nn::trained_with_first picks.
  std::vector<std::size_t> waiting(firsts.size());
  for (std::size_t i = 0; i < waiting.size(); ++i) waiting[i] = i;
  std::size_t packs = 0;
  while (!waiting.empty()) {
    const sweeps::Trial& lead = firsts[waiting.front()];
    std::vector<std::size_t> candidates{0};
    std::vector<const nn::TrialConfig*> configs{&lead.config};
    for (std::size_t i = 1; i < std::min(kPackWindow + 1, waiting.size()); ++i) {
      const sweeps::Trial& t = firsts[waiting[i]];
      if (t.data_seed == lead.data_seed && t.config.data == lead.config.data)
        candidates.push_back(i), configs.push_back(&t.config);
    }
    const std::vector<std::size_t> chosen = nn::trained_with_first(configs);
    for (std::size_t k = chosen.size(); k-- > 0;)
      waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(candidates[chosen[k]]));
    ++packs;
  }
  return static_cast<double>(firsts.size()) / static_cast<double>(packs);
}

}  // namespace runner
