#include "results/best_trials.h"

#include <cmath>

namespace results {
namespace {

double finite_or_inf(double v) {
  return std::isfinite(v) ? v : INFINITY;
}

}  // namespace

bool BestTrials::Candidate::operator<(const Candidate& other) const {
  if (score != other.score) return score < other.score;
  if (epochs != other.epochs) return epochs < other.epochs;
  return index < other.index;
}

void BestTrials::add(const TrialRecord& r, KeptWeights kept) {
  if (r.outcome == Outcome::error || r.outcome == Outcome::pruned) return;
  std::string key, dataset;
  for (const auto& [name, value] : r.params)
    if (columns_.data(name)) {
      key += name + '=' + value + '\n';
      if (name == columns_.dataset) dataset = value;
    }
  auto [it, added] = groups_.try_emplace(std::move(key));
  if (added) order_.push_back(&it->first);
  Group& g = it->second;
  g.dataset = dataset;
  const double epochs = r.epochs_to_target ? *r.epochs_to_target : INFINITY;
  // Chosen on the validation loss, or on the training loss without a validation split: never
  // on test data.
  Candidate by_train{
      finite_or_inf(r.best.train_loss),
      epochs,
      r.index,
      r.id,
      r.final.test_accuracy,
      r.final.test_loss,
      {r.outcome, std::move(kept.parameters), std::move(kept.snapshots), std::move(kept.data)}};
  Candidate by_val = by_train;
  by_val.score = finite_or_inf(r.best.val_loss);
  if (std::isfinite(r.best.val_loss)) has_val_ = true;
  if (!g.by_train || by_train < *g.by_train) g.by_train = std::move(by_train);
  if (!g.by_val || by_val < *g.by_val) g.by_val = std::move(by_val);
}

std::vector<BestTrials::Best> BestTrials::best() const {
  std::vector<Best> out;
  out.reserve(order_.size());
  for (const std::string* key : order_) {
    const Group& g = groups_.at(*key);
    const auto& best = has_val_ ? g.by_val : g.by_train;
    out.push_back({g.dataset, best && std::isfinite(best->score) ? &*best : nullptr});
  }
  return out;
}

TrainedModels BestTrials::models() const {
  TrainedModels out;
  for (const Best& b : best())
    if (b.candidate && b.candidate->model.parameters)
      out.emplace(b.candidate->id, b.candidate->model);
  return out;
}

}  // namespace results
