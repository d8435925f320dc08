// Random search: `samples` draws of the settings under `random.params`, reproducible from the
// sweep seed alone. One std::mt19937_64 stream is drawn in sample order (params in file
// order) through Boost.Random distributions, whose code is the same everywhere (std::
// distributions differ between standard libraries). Continuous draws are rounded to 6
// significant digits: tables stay readable and a last-bit difference in a platform's exp()
// cannot change a value. A parameter that does not apply to its sample (train.momentum when
// the sample's train.optimizer is adam) is not drawn. A sample equal to an earlier one is drawn
// again, so samples differ.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sweeps/setting.h"
#include "sweeps/yaml_reader.h"

namespace sweeps {

enum class Distribution { uniform, log_uniform, int_uniform, choice };
inline constexpr std::array<std::string_view, 4> kDistributionNames = {"uniform", "log_uniform",
                                                                       "int_uniform", "choice"};

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
  RandomSamples(std::vector<RandomParam> params, std::uint64_t samples, std::uint64_t sweep_seed,
                const nn::TrialConfig& base, const Reader& reader, const YAML::Mark& samples_mark);

  std::uint64_t size() const { return count_; }
  const std::vector<RandomParam>& params() const { return params_; }
  void apply(std::uint64_t sample, nn::TrialConfig& config) const;
  // The canonical text of one parameter's value in one sample; empty when it was not drawn.
  std::string text(std::uint64_t sample, std::size_t param) const;

 private:
  void draw_distinct(std::uint64_t sweep_seed, const nn::TrialConfig& base, const Reader& reader,
                     const YAML::Mark& samples_mark);
  void drop_inapplicable(std::uint64_t sample, const nn::TrialConfig& base);
  static constexpr double kNotDrawn = std::numeric_limits<double>::quiet_NaN();

  std::vector<RandomParam> params_;
  std::uint64_t count_ = 1;
  std::vector<double> values_;  // count_ x params_: the drawn number, or the choice's index
};

}  // namespace sweeps
