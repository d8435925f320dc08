// Random search: `samples` draws of the settings under `random.params`, reproducible from the
// sweep seed alone. One std::mt19937_64 stream is drawn in sample order (params in file
// order) through Boost.Random distributions, whose code is the same everywhere (std::
// distributions differ between standard libraries). Continuous draws are rounded to 6
// significant digits: tables stay readable and a last-bit difference in a platform's exp()
// cannot change a value. A parameter that does not apply to its sample (train.momentum when
// the sample's train.optimizer is adam) is not drawn. A sample equal to an earlier one is drawn
// again, so samples differ.
//
// `method: sobol` draws quasi-random points instead: a scrambled Sobol sequence (ScrambledSobol),
// each coordinate mapped through its parameter's distribution. Its first 2^k points put exactly
// one point in each of 2^k equal slices of every parameter's range (and, for the first two
// parameters, in each of 2^k equal cells of their square), where independent draws leave about
// a third of the slices empty. A point that repeats an earlier sample after rounding (most often
// with int_uniform and choice) is skipped for the next point of the sequence, so the samples
// stay distinct; the slices stay filled exactly only for ranges of more values than samples.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "sweeps/setting.h"
#include "sweeps/yaml_reader.h"

namespace sweeps {

enum class Distribution { uniform, log_uniform, int_uniform, choice };
inline constexpr std::array<std::string_view, 4> kDistributionNames = {"uniform", "log_uniform",
                                                                       "int_uniform", "choice"};

enum class RandomMethod { pseudo, sobol };
inline constexpr std::array<std::string_view, 2> kRandomMethodNames = {"pseudo", "sobol"};

// Points of the Sobol sequence in [0, 1)^dimensions (Boost.Random's generator, with the
// sequence's first point, 0, which Boost skips, put back: the first 2^k points are then a
// (t, k, s)-net), scrambled per dimension from `seed`. The scramble is a hash-based nested
// (Owen-style) scramble: each bit of a coordinate is flipped by a hash of the bits above it,
// so every slice [j/2^k, (j+1)/2^k) is mapped onto another whole slice and the net stays a net,
// while the points lose the sequence's visible lattice and its corner at 0. A random digital
// shift (one XOR per dimension) would keep the net too, but moves the points of every slice the
// same way, so their pattern stays regular; the nested scramble gives each slice its own.
class ScrambledSobol {
 public:
  ScrambledSobol(std::size_t dimensions, std::uint64_t seed);
  ~ScrambledSobol();
  // The next point, one coordinate per dimension, each (bits + 0.5) / 2^32.
  void next(std::vector<double>& point);

 private:
  struct Engine;  // boost::random::sobol_engine: its tables stay out of this header
  std::unique_ptr<Engine> engine_;
  std::vector<std::uint32_t> seeds_;  // per dimension
  bool started_ = false;
};

struct RandomParam {
  const Setting* setting = nullptr;
  Distribution distribution = Distribution::uniform;
  double lo = 0, hi = 0;            // uniform, log_uniform, int_uniform: both ends included
  std::vector<Assignment> choices;  // choice
  YAML::Mark mark;                  // of the parameter's key
};

class RandomSamples {
 public:
  RandomSamples() = default;  // no random search: one empty sample
  // Draws every sample now (a few doubles each). Fails at `samples_mark` at once when the
  // distributions hold fewer distinct samples than asked for, and after 10 draws per sample
  // when duplicates are so frequent that the last ones would take much longer to find.
  // `base` holds the values of the settings that are not drawn.
  RandomSamples(std::vector<RandomParam> params, std::uint64_t samples, RandomMethod method,
                std::uint64_t sweep_seed, const nn::TrialConfig& base, const Reader& reader,
                const YAML::Mark& samples_mark);

  std::uint64_t size() const { return count_; }
  RandomMethod method() const { return method_; }
  const std::vector<RandomParam>& params() const { return params_; }
  void apply(std::uint64_t sample, nn::TrialConfig& config) const;
  // The canonical text of one parameter's value in one sample; empty when it was not drawn.
  std::string text(std::uint64_t sample, std::size_t param) const;
  // Where each sample's value of one parameter lies in its range, from 0 to 1: on the log scale
  // for log_uniform, at the middle of its slot for int_uniform and choice; NaN where not drawn.
  std::vector<double> unit_values(std::size_t param) const;

 private:
  void draw_distinct(std::uint64_t sweep_seed, const nn::TrialConfig& base, const Reader& reader,
                     const YAML::Mark& samples_mark);
  void drop_inapplicable(std::uint64_t sample, const nn::TrialConfig& base);
  static constexpr double kNotDrawn = std::numeric_limits<double>::quiet_NaN();

  std::vector<RandomParam> params_;
  std::uint64_t count_ = 1;
  RandomMethod method_ = RandomMethod::pseudo;
  std::vector<double> values_;  // count_ x params_: the drawn number, or the choice's index
};

}  // namespace sweeps
