#include "sweeps/random_search.h"

#include <fmt/format.h>
#include <algorithm>
#include <bit>
#include <boost/random/sobol.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <unordered_set>

#include "sweeps/canonical.h"
#include "sweeps/spec.h"

namespace sweeps {
namespace {

// std::to_chars into a stack buffer: the same correctly rounded "%.6g" as fmt, without an
// allocation per draw (a large random search draws millions of numbers).
double round_to_6_digits(double v) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, v, std::chars_format::general, 6).ptr;
  double rounded = v;
  std::from_chars(text, end, rounded);
  return rounded;
}

std::uint32_t reverse_bits(std::uint32_t x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
  return (x >> 16) | (x << 16);
}

// How many numbers of at most 6 significant digits lie in [lo, hi] (an estimate within a few
// values, which is all the early "too many samples" check needs).
double six_digit_values(double lo, double hi) {
  if (lo > hi) return 0;
  if (lo < 0)
    return (hi < 0 ? six_digit_values(-hi, -lo)
                   : six_digit_values(0, -lo) + 1 + six_digit_values(0, hi)) -
           (hi >= 0 ? 1 : 0);
  double count = lo == 0 ? 1 : 0;
  const double a = std::max(lo, std::numeric_limits<double>::min());
  for (int e = static_cast<int>(std::floor(std::log10(a))); e <= std::floor(std::log10(hi)); ++e) {
    // The decade's values are m x 10^(e-5) for m in [10^5, 10^6).
    const double step = std::pow(10.0, e - 5), slack = 1e-6;
    const double first = std::max(1e5, std::ceil(a / step - slack));
    const double last = std::min(1e6 - 1, std::floor(hi / step + slack));
    if (last >= first) count += last - first + 1;
  }
  return count;
}

double distinct_values(const RandomParam& p) {
  switch (p.distribution) {
    case Distribution::uniform:
    case Distribution::log_uniform:
      return six_digit_values(p.lo, p.hi);
    case Distribution::int_uniform:
      return p.hi - p.lo + 1;
    case Distribution::choice:
      return static_cast<double>(p.choices.size());
  }
  return 0;
}

// One value of `p`: a number rounded to 6 significant digits and kept in range, or the index
// of a choice.
double draw(const RandomParam& p, std::mt19937_64& rng) {
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
}

// Burley's hash-based Owen scrambling ("Practical Hash-based Owen Scrambling", JCGT 2020), in
// bit-reversed order: there adding the seed and x ^= x * even constant change each bit only
// by the bits below it, which are the coordinate's more significant bits before the reversal.
std::uint32_t nested_scramble(std::uint32_t x, std::uint32_t seed) {
  x = reverse_bits(x);
  x += seed;
  x ^= x * 0x6c50b47cu;
  x ^= x * 0xb82f1e52u;
  x ^= x * 0xc7afe638u;
  x ^= x * 0x8d22f6e6u;
  return reverse_bits(x);
}

// The value of `p` at `u` in [0, 1): the distribution's quantile, rounded as draw() rounds.
double from_unit(const RandomParam& p, double u) {
  switch (p.distribution) {
    case Distribution::uniform:
      return std::clamp(round_to_6_digits(p.lo + u * (p.hi - p.lo)), p.lo, p.hi);
    case Distribution::log_uniform: {
      const double e = std::log(p.lo) + u * (std::log(p.hi) - std::log(p.lo));
      return std::clamp(round_to_6_digits(std::exp(e)), p.lo, p.hi);
    }
    case Distribution::int_uniform:
      return std::min(p.lo + std::floor(u * (p.hi - p.lo + 1)), p.hi);
    case Distribution::choice:
      return std::min(std::floor(u * static_cast<double>(p.choices.size())),
                      static_cast<double>(p.choices.size() - 1));
  }
  return 0;
}

// Refuses a count the distributions cannot give distinct samples for, before drawing.
void check_space(const std::vector<RandomParam>& params, std::uint64_t count, const Reader& reader,
                 const YAML::Mark& samples_mark) {
  double space = 1;
  for (const RandomParam& p : params) space *= distinct_values(p);
  if (static_cast<double>(count) > space)
    reader.fail(samples_mark,
                fmt::format("random: the distributions hold only {:.0f} distinct samples (real "
                            "numbers are drawn to 6 significant digits), fewer than the {} asked "
                            "for; ask for fewer samples or widen the ranges",
                            space, count));
}

}  // namespace

struct ScrambledSobol::Engine {
  explicit Engine(std::size_t dimensions) : sobol(dimensions) {}
  boost::random::sobol_engine<std::uint32_t, 32> sobol;
};

ScrambledSobol::ScrambledSobol(std::size_t dimensions, std::uint64_t seed)
    : engine_(std::make_unique<Engine>(dimensions)) {
  for (std::size_t d = 0; d < dimensions; ++d)
    seeds_.push_back(static_cast<std::uint32_t>(
        stable_hash(fmt::format("sobol scramble of sweep seed {}, dimension {}", seed, d))));
}

ScrambledSobol::~ScrambledSobol() = default;

void ScrambledSobol::next(std::vector<double>& point) {
  point.resize(seeds_.size());
  for (std::size_t d = 0; d < seeds_.size(); ++d) {
    const std::uint32_t raw = started_ ? engine_->sobol() : 0;
    point[d] = (nested_scramble(raw, seeds_[d]) + 0.5) * 0x1p-32;
  }
  started_ = true;
}

RandomSamples::RandomSamples(std::vector<RandomParam> params, std::uint64_t samples,
                             RandomMethod method, std::uint64_t sweep_seed,
                             const nn::TrialConfig& base, const Reader& reader,
                             const YAML::Mark& samples_mark)
    : params_(std::move(params)), count_(samples), method_(method) {
  check_space(params_, count_, reader, samples_mark);
  draw_distinct(sweep_seed, base, reader, samples_mark);
}

// Draws until count_ distinct samples are kept, a repeat being drawn again.
void RandomSamples::draw_distinct(std::uint64_t sweep_seed, const nn::TrialConfig& base,
                                  const Reader& reader, const YAML::Mark& samples_mark) {
  std::mt19937_64 rng(stable_hash("random samples of sweep seed " + std::to_string(sweep_seed)));
  std::optional<ScrambledSobol> sobol;
  if (method_ == RandomMethod::sobol) sobol.emplace(params_.size(), sweep_seed);
  std::vector<double> point;
  // The samples kept so far, by index into values_, compared by their exact bits. Hashed
  // through mix64: the bit patterns of 6-digit doubles and choice indices differ mostly in
  // their high bits, and a weaker hash let the set's buckets collide until lookups dominated.
  const std::size_t width = params_.size();
  auto bits = [this, width](std::uint64_t sample, std::size_t p) {
    return std::bit_cast<std::uint64_t>(values_[sample * width + p]);
  };
  auto hash = [&](std::uint64_t sample) {
    std::uint64_t h = 0;
    for (std::size_t p = 0; p < width; ++p) h = mix64(h ^ bits(sample, p));
    return static_cast<std::size_t>(h);
  };
  auto equal = [&](std::uint64_t a, std::uint64_t b) {
    for (std::size_t p = 0; p < width; ++p)
      if (bits(a, p) != bits(b, p)) return false;
    return true;
  };
  std::unordered_set<std::uint64_t, decltype(hash), decltype(equal)> kept(count_, hash, equal);

  values_.reserve(count_ * width);
  // Ten draws per sample is generous for any sensible random search, and bounds the time a
  // too-narrow one (a log_uniform whose rare values are almost all taken) needs to fail.
  const std::uint64_t max_draws = 10 * count_ + 1000;
  for (std::uint64_t drawn = 0, draws = 0; drawn < count_;) {
    if (++draws > max_draws)
      reader.fail(samples_mark, "random: the distributions gave only " + std::to_string(drawn) +
                                    " distinct samples in " + std::to_string(max_draws) +
                                    " draws; ask for fewer samples or widen the ranges");
    if (sobol) {
      sobol->next(point);
      for (std::size_t p = 0; p < width; ++p) values_.push_back(from_unit(params_[p], point[p]));
    } else {
      for (const RandomParam& p : params_) values_.push_back(draw(p, rng));
    }
    drop_inapplicable(drawn, base);
    if (kept.insert(drawn).second)
      ++drawn;
    else
      values_.resize(drawn * width);
  }
}

// A parameter that does not apply to its sample (momentum when the sample's optimizer is adam)
// is not drawn: its value is marked, so that samples differing only there are one sample.
void RandomSamples::drop_inapplicable(std::uint64_t sample, const nn::TrialConfig& base) {
  for (std::size_t p = 0; p < params_.size(); ++p) {
    if (params_[p].setting->controller.empty()) continue;
    nn::TrialConfig config = base;
    apply(sample, config);
    if (!params_[p].setting->applies(config)) values_[sample * params_.size() + p] = kNotDrawn;
  }
}

void RandomSamples::apply(std::uint64_t sample, nn::TrialConfig& config) const {
  for (std::size_t p = 0; p < params_.size(); ++p) {
    const double v = values_[sample * params_.size() + p];
    if (std::isnan(v)) continue;
    if (params_[p].distribution == Distribution::choice)
      params_[p].choices[static_cast<std::size_t>(v)].apply(config);
    else
      params_[p].setting->set_number(config, v);
  }
}

std::vector<double> RandomSamples::unit_values(std::size_t param) const {
  const RandomParam& p = params_[param];
  std::vector<double> out;
  out.reserve(count_);
  for (std::uint64_t sample = 0; sample < count_; ++sample) {
    const double v = values_[sample * params_.size() + param];
    switch (p.distribution) {
      case Distribution::uniform:
        out.push_back((v - p.lo) / (p.hi - p.lo));
        break;
      case Distribution::log_uniform:
        out.push_back(std::log(v / p.lo) / std::log(p.hi / p.lo));
        break;
      case Distribution::int_uniform:
        out.push_back((v - p.lo + 0.5) / (p.hi - p.lo + 1));
        break;
      case Distribution::choice:
        out.push_back((v + 0.5) / static_cast<double>(p.choices.size()));
        break;
    }
  }
  return out;
}

std::string RandomSamples::text(std::uint64_t sample, std::size_t param) const {
  nn::TrialConfig config;
  const double v = values_[sample * params_.size() + param];
  if (std::isnan(v)) return {};
  if (params_[param].distribution == Distribution::choice)
    return params_[param].choices[static_cast<std::size_t>(v)].text;
  params_[param].setting->set_number(config, v);
  return params_[param].setting->text(config);
}

}  // namespace sweeps
