// The grid of a sweep: the cartesian product of its axes, minus `exclude`, plus `include`, with
// GitHub Actions matrix semantics, enumerated by index without listing the combinations.
// Combination order: grid points in mixed radix (the last axis varies fastest), then the
// include entries that became new combinations, in file order. Axes keep the file's order,
// except that an axis deciding whether another applies (a controller: train.optimizer for
// train.momentum) moves first, and the budget (train.epochs) innermost, so that combinations
// differing only in epochs are adjacent.
// Collapse: a grid point in which a setting that does not apply holds other than its axis's
// first value is a duplicate of the point with the first value, and is not a combination
// (sgd x momentum [0.5, 0.9] is one trial); exclude matches before collapsing. Without
// exclude, combination i is computed from i alone, in memory that grows with the controllers'
// values only; with exclude, one bit per grid point marks the survivors, plus a rank index.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
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
  // `base` holds the values of the settings that are not axes.
  Grid(std::vector<GridAxis> axes, std::vector<MatrixEntry> exclude,
       std::vector<MatrixEntry> include, const nn::TrialConfig& base, const Reader& reader);
  Grid() : Grid({}, {}, {}, nn::TrialConfig{}, Reader("", "")) {}
  // Matchers point into include_: moving keeps the vectors' storage, copying would not.
  Grid(const Grid&) = delete;
  Grid& operator=(const Grid&) = delete;
  Grid(Grid&&) = default;
  Grid& operator=(Grid&&) = default;

  std::uint64_t size() const { return survivors_ + added_.size(); }  // combinations
  std::uint64_t product() const { return product_; }      // grid points before exclude; saturated
  std::uint64_t survivors() const { return survivors_; }  // grid points after exclude
  std::uint64_t added() const { return added_.size(); }   // include entries that were new
  // Grid points after exclude that duplicate another through a setting that does not apply.
  std::uint64_t collapsed() const { return collapsed_; }
  // Why they do, a line per axis: "train.momentum does not apply with train.optimizer sgd".
  const std::vector<std::string>& collapse_reasons() const { return collapse_reasons_; }
  // Include entries whose new combination is a trial the grid (`into` unset) or an earlier
  // new include entry (`into` = its index) already has; they add nothing.
  struct CollapsedInclude {
    std::size_t entry = 0;
    std::optional<std::size_t> into;
  };
  const std::vector<CollapsedInclude>& collapsed_includes() const { return collapsed_includes_; }
  const MatrixEntry& include_entry(std::size_t i) const { return include_[i]; }
  const std::vector<GridAxis>& axes() const { return axes_; }
  // The include entry behind combination survivors() + k.
  const MatrixEntry& added_entry(std::size_t k) const { return include_[added_[k]]; }

  // Sets the combination's values in `config` (which holds the base configuration).
  void apply(std::uint64_t combination, nn::TrialConfig& config) const;

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
    return excluding_ ? (bits_[point / 64] >> (point % 64) & 1) != 0 : !duplicate(point);
  }
  std::uint64_t select(std::uint64_t rank) const;            // the rank-th surviving point
  std::uint64_t select_collapsed(std::uint64_t rank) const;  // the same, without exclude
  std::uint64_t point_of(std::uint64_t combination) const;   // REQUIRES combination < survivors_
  void apply_point(std::uint64_t point, nn::TrialConfig& config) const;

  // Construction.
  void compute_strides();
  std::vector<Matcher> exclude_matchers(const std::vector<MatrixEntry>& exclude,
                                        const Reader& reader) const;
  void mark_survivors(const std::vector<Matcher>& excluded);
  void match_includes();

  // for_each_projection: the axes it enumerates (the digits of a projection q, first axis most
  // significant), and the include entries that set a relevant setting.
  struct Projection {
    std::vector<std::size_t> axes;
    std::uint64_t size = 1;
    std::vector<std::size_t> includes;
  };
  Projection projection(const std::function<bool(const Setting&)>& relevant) const;
  std::vector<bool> occurring(const Projection& p) const;
  std::uint64_t point_of_projection(std::uint64_t q, const Projection& p) const;

  // Settings that do not apply.
  void order_axes();
  void find_controllers(const nn::TrialConfig& base, const Reader& reader);
  bool axis_applies(std::uint64_t point, std::size_t axis) const {
    const std::vector<bool>& a = applies_[axis];
    if (a.empty()) return true;
    const std::size_t c = controller_of_[axis];
    return c == kNoAxis ? a.front() : a[digit(point, c)];
  }
  bool duplicate(std::uint64_t point) const;
  void count_blocks();
  void collapse_excluded();
  void collapse_includes(const nn::TrialConfig& base);
  std::optional<std::uint64_t> grid_point_of(const nn::TrialConfig& config,
                                             const std::string& identity,
                                             const nn::TrialConfig& base) const;

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

  static constexpr std::size_t kNoAxis = SIZE_MAX;
  std::size_t controllers_ = 0;             // axes_[0, controllers_) decide whether others apply
  std::vector<std::size_t> controller_of_;  // per axis: its controller's axis, or kNoAxis
  // Per axis whose setting may not apply: whether it applies, per value of its controller axis
  // (one entry when the base decides); empty when it always applies.
  std::vector<std::vector<bool>> applies_;
  bool collapsing_ = false;                 // some point is a duplicate
  std::vector<std::uint64_t> block_start_;  // without exclude: combinations before each
                                            // assignment of the controller axes
  std::uint64_t collapsed_ = 0;
  std::vector<std::string> collapse_reasons_;
  std::vector<CollapsedInclude> collapsed_includes_;
};

}  // namespace sweeps
