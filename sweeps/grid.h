// The grid of a sweep: the cartesian product of its axes, minus `exclude`, plus `include`, with
// GitHub Actions matrix semantics, enumerated by index without listing the combinations.
// Combination order: grid points in mixed radix (the last axis varies fastest), then the
// include entries that became new combinations, in file order. Axes keep the file's order,
// except train.epochs, moved innermost so that combinations differing only in epochs are
// adjacent. Without exclude, combination i is computed from i alone (constant memory); with
// exclude, one bit per grid point marks the survivors, plus a rank index to find the i-th.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sweeps/setting.h"
#include "sweeps/yaml_reader.h"

namespace sweeps {

struct GridAxis {
  const Setting* setting = nullptr;
  std::vector<Assignment> values;  // distinct canonical texts
  YAML::Mark mark;                 // of the axis key
};

// One entry of `exclude` or `include`: settings and values (an exclude entry names axes only).
struct MatrixEntry {
  std::vector<Assignment> values;
  YAML::Mark mark;
};

class Grid {
 public:
  // The survivor bitset of an excluding grid costs product/8 bytes: 32 MiB at this bound.
  static constexpr std::uint64_t kMaxExcludeGridPoints = std::uint64_t{1} << 28;

  // Checks that exclude entries name axes and their values (failing through `reader`).
  Grid(std::vector<GridAxis> axes, std::vector<MatrixEntry> exclude,
       std::vector<MatrixEntry> include, const Reader& reader);
  Grid() : Grid({}, {}, {}, Reader("", "")) {}
  // Matchers point into include_: moving keeps the vectors' storage, copying would not.
  Grid(const Grid&) = delete;
  Grid& operator=(const Grid&) = delete;
  Grid(Grid&&) = default;
  Grid& operator=(Grid&&) = default;

  std::uint64_t size() const { return survivors_ + added_.size(); }  // combinations
  std::uint64_t product() const { return product_; }      // grid points before exclude; saturated
  std::uint64_t survivors() const { return survivors_; }  // grid points after exclude
  std::uint64_t added() const { return added_.size(); }   // include entries that were new
  const std::vector<GridAxis>& axes() const { return axes_; }
  // The include entry behind combination survivors() + k.
  const MatrixEntry& added_entry(std::size_t k) const { return include_[added_[k]]; }

  // Sets the combination's values in `config` (which holds the base configuration) and, when
  // `applied` is given, lists the assignments used, in order.
  void apply(std::uint64_t combination, nn::TrialConfig& config,
             std::vector<const Assignment*>* applied = nullptr) const;

  // Calls `visit` once for every distinct configuration the grid gives to the settings for
  // which `relevant` is true (other settings keep `base`'s values). This is how a rule that
  // couples a few settings (batch size vs training set size) checks a huge grid: it sees only
  // the product of the axes it depends on.
  void for_each_projection(
      const std::function<bool(const Setting&)>& relevant, const nn::TrialConfig& base,
      const std::function<void(const nn::TrialConfig&, const std::vector<const Assignment*>&)>&
          visit) const;

 private:
  using Digit = std::pair<std::size_t, std::size_t>;  // (axis, value index)
  struct Matcher {
    std::vector<Digit> on_axes;             // values of axes that must match
    std::vector<const Assignment*> extras;  // values of settings that are not axes
    bool impossible = false;                // a value no axis has
  };
  Matcher matcher(const MatrixEntry& entry) const;
  std::size_t digit(std::uint64_t point, std::size_t axis) const {
    return static_cast<std::size_t>(point / strides_[axis] % axes_[axis].values.size());
  }
  bool matches(std::uint64_t point, const Matcher& m) const;
  // Calls fn(point) for each grid point with the given digits, until fn returns false.
  void for_each_point(const std::vector<Digit>& fixed,
                      const std::function<bool(std::uint64_t)>& fn) const;
  bool survives(std::uint64_t point) const {
    return !excluding_ || (bits_[point / 64] >> (point % 64) & 1);
  }
  std::uint64_t select(std::uint64_t rank) const;  // the rank-th surviving point

  std::vector<GridAxis> axes_;
  std::vector<std::uint64_t> strides_;
  std::uint64_t product_ = 1;
  bool excluding_ = false;
  std::vector<std::uint64_t> bits_;        // survivors, one bit per point
  std::vector<std::uint64_t> block_rank_;  // survivors before each block of kBlockWords words
  static constexpr std::size_t kBlockWords = 8;
  std::uint64_t survivors_ = 0;
  std::vector<MatrixEntry> include_;
  std::vector<Matcher> include_matchers_;  // of include_, in order
  std::vector<std::size_t> added_;         // include entries that are new combinations
};

}  // namespace sweeps
