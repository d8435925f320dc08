#include "sweeps/random_search.h"

#include <fmt/format.h>
#include <algorithm>
#include <bit>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <charconv>
#include <cmath>
#include <random>
#include <unordered_set>

#include "sweeps/canonical.h"
#include "sweeps/spec.h"

namespace sweeps {
namespace {

double round_to_6_digits(double v) {
  const std::string text = fmt::format("{:.6g}", v);
  double rounded = v;
  std::from_chars(text.data(), text.data() + text.size(), rounded);
  return rounded;
}

}  // namespace

RandomSamples::RandomSamples(std::vector<RandomParam> params, std::uint64_t samples,
                             std::uint64_t sweep_seed, const Reader& reader,
                             const YAML::Mark& samples_mark)
    : params_(std::move(params)), count_(samples) {
  std::mt19937_64 rng(stable_hash("random samples of sweep seed " + std::to_string(sweep_seed)));
  auto draw = [&rng](const RandomParam& p) -> double {
    switch (p.distribution) {
      case Distribution::uniform: {
        const double v = boost::random::uniform_real_distribution<double>(p.lo, p.hi)(rng);
        return std::clamp(round_to_6_digits(v), p.lo, p.hi);
      }
      case Distribution::log_uniform: {
        const double e =
            boost::random::uniform_real_distribution<double>(std::log(p.lo), std::log(p.hi))(rng);
        return std::clamp(round_to_6_digits(std::exp(e)), p.lo, p.hi);
      }
      case Distribution::int_uniform:
        return static_cast<double>(boost::random::uniform_int_distribution<std::int64_t>(
            static_cast<std::int64_t>(p.lo), static_cast<std::int64_t>(p.hi))(rng));
      case Distribution::choice:
        return static_cast<double>(
            boost::random::uniform_int_distribution<std::size_t>(0, p.choices.size() - 1)(rng));
    }
    return 0;
  };
  values_.reserve(count_ * params_.size());
  std::unordered_set<std::uint64_t> seen;
  const std::uint64_t max_draws = 100 * count_ + 1000;
  std::vector<double> sample(params_.size());
  for (std::uint64_t drawn = 0, draws = 0; drawn < count_;) {
    if (++draws > max_draws)
      reader.fail(samples_mark, "random: the distributions gave only " + std::to_string(drawn) +
                                    " distinct samples in " + std::to_string(max_draws) +
                                    " draws; ask for fewer samples or widen the ranges");
    std::uint64_t h = 0;
    for (std::size_t p = 0; p < params_.size(); ++p) {
      sample[p] = draw(params_[p]);
      h = stable_hash(fmt::format("{:x} {:x}", h, std::bit_cast<std::uint64_t>(sample[p])));
    }
    if (!seen.insert(h).second) continue;
    values_.insert(values_.end(), sample.begin(), sample.end());
    ++drawn;
  }
}

void RandomSamples::apply(std::uint64_t sample, nn::TrialConfig& config) const {
  for (std::size_t p = 0; p < params_.size(); ++p) {
    const double v = values_[sample * params_.size() + p];
    if (params_[p].distribution == Distribution::choice)
      params_[p].choices[static_cast<std::size_t>(v)].apply(config);
    else
      params_[p].setting->set_number(config, v);
  }
}

std::string RandomSamples::text(std::uint64_t sample, std::size_t param) const {
  nn::TrialConfig config;
  const double v = values_[sample * params_.size() + param];
  if (params_[param].distribution == Distribution::choice)
    return params_[param].choices[static_cast<std::size_t>(v)].text;
  params_[param].setting->set_number(config, v);
  return params_[param].setting->text(config);
}

}  // namespace sweeps
