#include "runner/resources.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "nn/csv_values.h"
#include "nn/train.h"
#include "sweeps/canonical.h"

namespace runner {
namespace {

constexpr std::uint64_t kSample = 100'000;
constexpr double kCurveRowBytes = 80;    // trial id, epoch and four or five losses
constexpr double kTrialRowBytes = 400;   // the metrics, outcome and reason, besides parameters
constexpr double kBaseBytes = 64 << 20;  // the program, its libraries and the runner's tables

// Bytes one training of `config` holds: its dataset (built-in: points x features; csv: its
// splits and the parse they share, of the rows and inputs the parse holds), the network's
// parameters with gradients and the optimizer's moments, the activations of a full-split
// evaluation, and its per-epoch metrics.
double trial_bytes(const nn::TrialConfig& config,
                   std::map<std::string, std::pair<double, double>>& csv_sizes) {
  double samples = config.data.points, inputs = static_cast<double>(config.data.features.size());
  double data = 0;
  if (config.data.dataset == nn::DatasetKind::csv) {
    auto it = csv_sizes.find(config.data.path);
    if (it == csv_sizes.end()) {
      // Read when the sweep was validated: kept, not read again.
      const auto values = nn::csv_values(config.data);
      double width = 0;
      for (const nn::TextColumn& column : values->text)
        width += column.texts.empty() ? 1.0 : static_cast<double>(column.texts.size());
      it = csv_sizes
               .emplace(config.data.path, std::pair{static_cast<double>(values->x.cols()), width})
               .first;
    }
    samples = it->second.first;
    inputs = it->second.second;
    data = samples * (inputs + 1) * 8 * 2;
  } else {
    data = samples * (inputs + 1) * 8 * 3;
  }
  double parameters = 0, widest = inputs, previous = inputs;
  for (int w : config.model.hidden) {
    parameters += (previous + 1) * w;
    widest = std::max<double>(widest, w);
    previous = w;
  }
  parameters += previous + 1;
  const double model = parameters * 8 * 6;  // parameters, gradient, two moments, best, spare
  const double activations = samples * widest * 8 * 4;
  const double curves = static_cast<double>(config.train.epochs) * 8 * 8;
  return data + model + activations + curves;
}

std::optional<std::uint64_t> read_number(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text)) return std::nullopt;
  try {
    std::size_t used = 0;
    const unsigned long long value = std::stoull(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;  // "max": no limit
}

}  // namespace

std::string human_bytes(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024) return fmt::format("{:.1f} GiB", bytes / (1 << 30));
  if (bytes >= 1024.0 * 1024) return fmt::format("{:.1f} MiB", bytes / (1 << 20));
  if (bytes >= 1024.0) return fmt::format("{:.0f} KiB", bytes / 1024);
  return fmt::format("{:.0f} B", bytes);
}

Resources estimate_resources(const sweeps::Sweep& sweep, int threads) {
  Resources r;
  const std::uint64_t step = std::max<std::uint64_t>(1, sweep.size() / kSample);
  r.sampled = step > 1;
  std::map<std::string, std::pair<double, double>> csv_sizes;
  double largest = 0, curve_rows = 0;
  const int every = sweep.curves().enabled ? sweep.curves().every : 0;
  sweeps::TrialCache cache;
  for (std::uint64_t k = 0; k * step < sweep.size(); ++k) {
    const std::uint64_t offset = step > 1 ? sweeps::stable_hash(std::to_string(k)) % step : 0;
    const std::uint64_t index = std::min(k * step + offset, sweep.size() - 1);
    const sweeps::Trial t = sweep.trial(index, cache);
    const double bytes = trial_bytes(t.config, csv_sizes);
    if (bytes > largest) largest = bytes, r.largest_trial = index;
    if (every > 0) curve_rows += t.config.train.epochs / every + 2;
  }
  const double scale = static_cast<double>(step);
  r.trial_memory = static_cast<std::uint64_t>(largest);
  // Each thread trains several trials side by side.
  r.trainings = std::min<std::uint64_t>(
      static_cast<std::uint64_t>(std::max(threads, 1)) * nn::trainings_side_by_side(),
      sweep.size());
  r.peak_memory =
      static_cast<std::uint64_t>(kBaseBytes + largest * static_cast<double>(r.trainings));
  r.trial_rows = sweep.size();
  r.curve_rows = static_cast<std::uint64_t>(curve_rows * scale);
  const double row = kTrialRowBytes + 12.0 * static_cast<double>(sweep.param_keys().size());
  r.disk_bytes = static_cast<std::uint64_t>(static_cast<double>(r.trial_rows) * row * 1.5 +
                                            static_cast<double>(r.curve_rows) * kCurveRowBytes);
  return r;
}

std::optional<std::uint64_t> memory_limit() {
  std::optional<std::uint64_t> limit;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0)
    limit = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
  // cgroup v2, then v1 (whose "no limit" is a huge number, above the RAM anyway).
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"})
    if (const auto cgroup = read_number(path)) limit = limit ? std::min(*limit, *cgroup) : *cgroup;
  return limit;
}

void check_memory(const sweeps::Sweep& sweep, int threads) {
  const auto limit = memory_limit();
  if (!limit) return;
  const Resources r = estimate_resources(sweep, threads);
  if (r.peak_memory <= *limit) return;
  throw std::runtime_error(fmt::format(
      "the sweep would need about {} of memory ({} trainings at once on {} threads, of up to {} "
      "each, trial {} the largest), more than the {} this machine allows (the smaller of its "
      "RAM and its cgroup's memory.max); use fewer threads, fewer points or smaller networks",
      human_bytes(static_cast<double>(r.peak_memory)), r.trainings, threads,
      human_bytes(static_cast<double>(r.trial_memory)), r.largest_trial,
      human_bytes(static_cast<double>(*limit))));
}

}  // namespace runner
