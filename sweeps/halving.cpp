#include "sweeps/halving.h"

#include <fmt/format.h>
#include <algorithm>
#include <iterator>

#include "nn/input_error.h"
#include "sweeps/spec.h"
#include "sweeps/suggest.h"

namespace sweeps {

bool Halving::minimise() const {
  return metric.ends_with("_loss");
}

bool Halving::needs_validation() const {
  return metric.starts_with("val_");
}

std::vector<int> Halving::ladder(int epochs) const {
  std::vector<int> out;
  for (long long e = min_epochs; out.empty() || out.back() < epochs; e *= eta)
    out.push_back(static_cast<int>(std::min<long long>(e, epochs)));
  return out;
}

std::vector<int> Halving::rungs(int bracket, int epochs) const {
  std::vector<int> all = ladder(epochs);
  all.erase(all.begin(), all.begin() + std::min<std::ptrdiff_t>(bracket, std::ssize(all) - 1));
  return all;
}

std::uint64_t Halving::keep(std::uint64_t n) const {
  return (n + static_cast<std::uint64_t>(eta) - 1) / static_cast<std::uint64_t>(eta);
}

std::uint64_t Halving::entering(std::uint64_t n, int bracket) const {
  for (int b = 0; b < bracket; ++b) n = keep(n);
  return n;
}

std::vector<std::uint64_t> Halving::members(std::uint64_t configurations, int bracket,
                                            std::uint64_t sweep_seed) const {
  std::vector<std::uint64_t> all(configurations);
  for (std::uint64_t c = 0; c < configurations; ++c) all[c] = c;
  if (bracket == 0) return all;
  // A hash, not the first ones: a later bracket samples the whole grid, not one corner of it.
  const auto key = [&](std::uint64_t c) {
    return stable_hash(fmt::format("halving bracket {}\nsweep seed: {}\nconfiguration: {}\n",
                                   bracket, sweep_seed, c));
  };
  std::vector<std::pair<std::uint64_t, std::uint64_t>> keyed;
  keyed.reserve(configurations);
  for (std::uint64_t c : all) keyed.emplace_back(key(c), c);
  const std::uint64_t n = entering(configurations, bracket);
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(n), keyed.end());
  std::vector<std::uint64_t> out;
  for (std::uint64_t k = 0; k < n; ++k) out.push_back(keyed[k].second);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

int positive(Reader& reader, const YAML::Node& node, const std::string& what, int lowest) {
  const std::int64_t v = reader.integer(node, what);
  if (v < lowest || v > 1'000'000)
    reader.fail(node, fmt::format("{} must be a whole number from {} to 1000000, got {}", what,
                                  lowest, nn::quote_input(node.Scalar())));
  return static_cast<int>(v);
}

}  // namespace

Halving read_halving(Reader& reader, const YAML::Node& node) {
  Halving h;
  bool metric = false, min_epochs = false;
  for (const Reader::Entry& e :
       reader.entries(node, "halving", {"metric", "min_epochs", "eta", "brackets"})) {
    if (e.key == "metric") {
      h.metric = reader.scalar(e.value, "halving.metric");
      h.metric_mark = e.value.Mark();
      metric = true;
      const std::vector<std::string> valid(std::begin(kHalvingMetrics), std::end(kHalvingMetrics));
      if (h.metric.starts_with("test_"))
        reader.fail(e.value, "halving.metric " + nn::quote_input(h.metric) +
                                 ": choosing by a test metric leaks the test set into the "
                                 "search; rank by " +
                                 h.metric.substr(5) + " on the validation split (val_" +
                                 h.metric.substr(5) + ")");
      if (std::find(valid.begin(), valid.end(), h.metric) == valid.end())
        reader.fail(e.value, "unknown halving.metric " + nn::quote_input(h.metric) +
                                 did_you_mean(h.metric, valid) +
                                 "; valid: " + fmt::format("{}", fmt::join(valid, ", ")));
    } else if (e.key == "min_epochs") {
      h.min_epochs = positive(reader, e.value, "halving.min_epochs", 1);
      h.min_epochs_mark = e.value.Mark();
      min_epochs = true;
    } else if (e.key == "eta") {
      h.eta = positive(reader, e.value, "halving.eta", 2);
    } else {
      h.brackets = positive(reader, e.value, "halving.brackets", 1);
      h.brackets_mark = e.value.Mark();
    }
  }
  if (!metric) reader.fail(node, "halving needs 'metric', what a rung ranks by (e.g. val_loss)");
  if (!min_epochs)
    reader.fail(node, "halving needs 'min_epochs', the epochs every configuration trains first");
  return h;
}

}  // namespace sweeps
