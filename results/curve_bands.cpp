#include "results/curve_bands.h"

#include <algorithm>
#include <cmath>

namespace results {
namespace {

// splitmix64: a fixed, portable mix for the sample's replacement choice.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The median of `values`, sorted in `scratch` (kept by the caller: one allocation for them all).
double median_of(const std::vector<double>& values, std::vector<double>& scratch) {
  scratch.assign(values.begin(), values.end());
  std::sort(scratch.begin(), scratch.end());
  const std::size_t mid = scratch.size() / 2;
  return scratch.size() % 2 == 1 ? scratch[mid] : (scratch[mid - 1] + scratch[mid]) / 2;
}

}  // namespace

void CurveBands::Stat::add(double value, std::uint64_t salt, std::uint64_t room) {
  if (!std::isfinite(value)) return;
  ++count;
  low = count == 1 ? value : std::min(low, value);
  high = count == 1 ? value : std::max(high, value);
  if (sample.size() < kSample) {
    if (sample.empty())
      sample.reserve(static_cast<std::size_t>(std::clamp<std::uint64_t>(room, 1, kSample)));
    sample.push_back(value);
    return;
  }
  // Reservoir sampling (algorithm R): each value seen stays with probability kSample / count.
  const std::uint64_t slot = mix(count ^ (salt << 20)) % count;
  if (slot < kSample) sample[slot] = value;
}

CurveBands::CurveBands(int panels, int lines, int max_epoch)
    : panels_(panels),
      lines_(lines),
      step_(std::max(1, (std::max(max_epoch, 0) + kMaxPoints - 1) / kMaxPoints)),
      // Buckets start at multiples of the step; the last epoch gets one of its own when it is
      // not such a multiple, so the longest curves end where they end.
      buckets_(std::max(max_epoch, 0) / step_ + 1 + (std::max(max_epoch, 0) % step_ != 0)),
      max_epoch_(std::max(max_epoch, 0)),
      cells_(static_cast<std::size_t>(std::max(panels * lines, 0))) {}

CurveBands::Bucket& CurveBands::bucket(Line& line, int b) {
  // Made at a line's first need: lines of no trial, and the panels left out, take no room.
  if (line.buckets.empty()) line.buckets.resize(static_cast<std::size_t>(buckets_));
  return line.buckets[static_cast<std::size_t>(b)];
}

int CurveBands::bucket_of(int epoch) const {
  return epoch == max_epoch_ ? buckets_ - 1 : std::clamp(epoch / step_, 0, buckets_ - 1);
}

void CurveBands::add_trial(const std::string& trial_id, int panel, int line,
                           std::optional<int> diverged_at) {
  if (panel < 0 || panel >= panels_ || line < 0 || line >= lines_) return;
  members_[trial_id] = {panel, line};
  Line& cell = cells_[static_cast<std::size_t>(panel * lines_ + line)];
  ++cell.trials;
  if (diverged_at) ++bucket(cell, bucket_of(*diverged_at)).diverged;
}

void CurveBands::add(const CurvePoint& point) {
  const auto it = members_.find(point.trial_id);
  if (it == members_.end()) return;
  if (point.trial_id != current_) current_ = point.trial_id, last_bucket_ = -1;
  add_row(it->second, point.metrics.epoch, point.metrics.train_loss, point.metrics.test_loss);
}

void CurveBands::add(const std::string& trial_id, std::span<const CurveSample> rows) {
  const auto it = members_.find(trial_id);
  if (it == members_.end() || rows.empty()) return;
  if (trial_id != current_) current_ = trial_id, last_bucket_ = -1;
  for (const CurveSample& row : rows) add_row(it->second, row.epoch, row.train_loss, row.test_loss);
}

void CurveBands::add_row(const Member& member, int epoch, double train_loss, double test_loss) {
  const int bucket = bucket_of(epoch);
  if (bucket == last_bucket_) return;  // one row per trial per sampled epoch
  last_bucket_ = bucket;
  Line& cell = cells_[static_cast<std::size_t>(member.panel * lines_ + member.line)];
  Bucket& at = this->bucket(cell, bucket);
  const std::uint64_t salt =
      static_cast<std::uint64_t>(bucket) * 2 + static_cast<std::uint64_t>(member.line);
  at.epoch_sum += epoch;
  ++at.rows;
  at.train.add(train_loss, salt, cell.trials);
  at.test.add(test_loss, salt + 1, cell.trials);
}

std::vector<CurvePanel> CurveBands::panels(const std::vector<std::string>& titles,
                                           const std::vector<std::string>& labels) const {
  std::vector<CurvePanel> out;
  std::vector<double> scratch;
  for (int p = 0; p < panels_; ++p) {
    CurvePanel panel{p < static_cast<int>(titles.size()) ? titles[p] : "", {}};
    for (int l = 0; l < lines_; ++l) {
      const Line& cell = cells_[static_cast<std::size_t>(p * lines_ + l)];
      CurveLine line;
      line.label = l < static_cast<int>(labels.size()) ? labels[l] : "";
      line.trials = cell.trials;
      std::uint64_t diverged = 0;
      for (const Bucket& at : cell.buckets) {
        diverged += at.diverged;
        // A line stops once at least half its trials have diverged: past that point it would
        // describe the few survivors, not the line. The divergence epoch itself is drawn.
        const bool cut = diverged > 0 && 2 * diverged >= cell.trials;
        const Stat& s = at.train;
        const Stat& t = at.test;
        if (s.count > 0 && t.count > 0) {
          const double epoch = at.epoch_sum / static_cast<double>(at.rows);
          line.train.push_back({epoch, median_of(s.sample, scratch), s.low, s.high});
          line.test.push_back({epoch, median_of(t.sample, scratch), t.low, t.high});
        }
        if (cut) {
          line.cut = true;
          break;
        }
      }
      line.diverged = 0;
      for (const Bucket& at : cell.buckets) line.diverged += at.diverged;
      panel.lines.push_back(std::move(line));
    }
    out.push_back(std::move(panel));
  }
  return out;
}

}  // namespace results
