#include "sweeps/grid.h"

#include <fmt/format.h>
#include <algorithm>
#include <bit>
#include <limits>
#include <map>

#include "sweeps/spec.h"

#include "nn/input_error.h"

namespace sweeps {
namespace {

std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
    return std::numeric_limits<std::uint64_t>::max();
  return a * b;
}

std::string values_of(const GridAxis& axis) {
  std::string out;
  for (const Assignment& v : axis.values) {
    if (!out.empty()) out += ", ";
    out += v.text;
  }
  return out;
}

}  // namespace

Grid::Grid(std::vector<GridAxis> axes, std::vector<MatrixEntry> exclude,
           std::vector<MatrixEntry> include, const nn::TrialConfig& base, const Reader& reader)
    : axes_(std::move(axes)), include_(std::move(include)) {
  order_axes();
  compute_strides();
  const std::vector<Matcher> excluded = exclude_matchers(exclude, reader);
  find_controllers(base, reader);

  survivors_ = axes_.empty() && !include_.empty() ? 0 : product_;
  if (!excluded.empty() && survivors_ > 0) {
    if (product_ > kMaxExcludeGridPoints)
      reader.fail(exclude.front().mark, "exclude needs one bit per grid point and this grid has " +
                                            std::to_string(product_) + " points (at most " +
                                            std::to_string(kMaxExcludeGridPoints) +
                                            "); split the sweep or use include");
    mark_survivors(excluded);
    collapse_excluded();
  } else if (collapsing_ && survivors_ > 0) {
    count_blocks();
  }
  match_includes();
  collapse_includes(base);
}

// Mixed radix, the last axis fastest.
void Grid::compute_strides() {
  strides_.assign(axes_.size(), 1);
  for (std::size_t k = axes_.size(); k-- > 0;) {
    strides_[k] = product_;
    product_ = saturating_multiply(product_, axes_[k].values.size());
  }
}

std::vector<Grid::Matcher> Grid::exclude_matchers(const std::vector<MatrixEntry>& exclude,
                                                  const Reader& reader) const {
  std::vector<Matcher> matchers;
  for (const MatrixEntry& entry : exclude) {
    Matcher m = matcher(entry);
    if (!m.extras.empty())
      reader.fail(m.extras.front()->mark, "exclude can only name grid axes, and '" +
                                              m.extras.front()->setting->key + "' is not one");
    for (const Digit& d : m.on_axes)
      if (d.second == axes_[d.first].values.size()) {
        const Assignment* value = nullptr;
        for (const Assignment& a : entry.values)
          if (a.setting == axes_[d.first].setting) value = &a;
        reader.fail(value->mark,
                    "exclude: " + nn::quote_input(value->text) + " is not a value of axis " +
                        value->setting->key +
                        " (values: " + nn::quote_input(values_of(axes_[d.first]), 200) + ")");
      }
    matchers.push_back(std::move(m));
  }
  return matchers;
}

// One bit per grid point, cleared where an exclude entry matches, with the rank of each block
// so that select() finds the k-th survivor without a scan.
void Grid::mark_survivors(const std::vector<Matcher>& excluded) {
  excluding_ = true;
  bits_.assign((product_ + 63) / 64, ~std::uint64_t{0});
  if (product_ % 64) bits_.back() = (std::uint64_t{1} << (product_ % 64)) - 1;
  // Clears only the points each entry matches: the work is the size of what is excluded.
  for (const Matcher& m : excluded)
    for_each_point(m.on_axes, [this](std::uint64_t point) {
      bits_[point / 64] &= ~(std::uint64_t{1} << (point % 64));
      return true;
    });
  block_rank_.reserve(bits_.size() / kBlockWords + 1);
  std::uint64_t count = 0;
  for (std::size_t w = 0; w < bits_.size(); ++w) {
    if (w % kBlockWords == 0) block_rank_.push_back(count);
    count += static_cast<std::uint64_t>(std::popcount(bits_[w]));
  }
  survivors_ = count;
}

// GitHub Actions: an include entry extends every surviving combination whose axis values it
// agrees with; one that agrees with none becomes a combination of its own.
void Grid::match_includes() {
  for (std::size_t i = 0; i < include_.size(); ++i) {
    Matcher m = matcher(include_[i]);
    bool matches_some = false;
    if (!m.impossible && survivors_ > 0) {
      for_each_point(m.on_axes, [&](std::uint64_t point) {
        matches_some = survives(point);
        return !matches_some;
      });
    }
    if (!matches_some) added_.push_back(i);
    include_matchers_.push_back(std::move(m));
  }
}

void Grid::order_axes() {
  // Controllers first, so that whether an axis applies is known from the axes before it; the
  // budget innermost: siblings that differ only in epochs sit next to each other, which lets
  // the runner train them once to the largest value.
  auto controls = [this](const GridAxis& a) {
    return std::any_of(axes_.begin(), axes_.end(),
                       [&](const GridAxis& b) { return b.setting->controller == a.setting->key; });
  };
  std::vector<bool> is_controller;
  for (const GridAxis& a : axes_) is_controller.push_back(controls(a));
  std::vector<GridAxis> ordered;
  for (int pass = 0; pass < 3; ++pass)
    for (std::size_t k = 0; k < axes_.size(); ++k) {
      const int place = is_controller[k] ? 0 : axes_[k].setting->budget ? 2 : 1;
      if (place == pass) ordered.push_back(std::move(axes_[k]));
    }
  controllers_ =
      static_cast<std::size_t>(std::count(is_controller.begin(), is_controller.end(), true));
  axes_ = std::move(ordered);
}

void Grid::find_controllers(const nn::TrialConfig& base, const Reader& reader) {
  controller_of_.assign(axes_.size(), kNoAxis);
  applies_.assign(axes_.size(), {});
  for (std::size_t k = controllers_; k < axes_.size(); ++k) {
    const Setting& setting = *axes_[k].setting;
    if (setting.controller.empty()) continue;
    const auto c = std::find_if(axes_.begin(), axes_.end(), [&](const GridAxis& a) {
      return a.setting->key == setting.controller;
    });
    std::vector<std::string> not_with;  // the controller's values under which it does not apply
    if (c == axes_.end()) {
      // An include entry that set the controller would change, point by point, what the base
      // decides here.
      for (const MatrixEntry& entry : include_)
        for (const Assignment& a : entry.values)
          if (a.setting->key == setting.controller)
            reader.fail(a.mark, fmt::format("include sets {}, which decides whether the grid axis "
                                            "{} applies; make {} a grid axis instead",
                                            setting.controller, setting.key, setting.controller));
      applies_[k] = {setting.applies(base)};
      if (!applies_[k].front()) not_with.push_back(find_setting(setting.controller)->text(base));
    } else {
      controller_of_[k] = static_cast<std::size_t>(c - axes_.begin());
      for (const Assignment& value : c->values) {
        nn::TrialConfig config = base;
        value.apply(config);
        applies_[k].push_back(setting.applies(config));
        if (!applies_[k].back()) not_with.push_back(value.text);
      }
    }
    if (not_with.empty() || axes_[k].values.size() < 2) continue;
    collapsing_ = true;
    std::string values;
    for (const std::string& v : not_with) values += (values.empty() ? "" : ", ") + v;
    collapse_reasons_.push_back(
        fmt::format("{} does not apply with {} {}", setting.key, setting.controller, values));
  }
}

bool Grid::duplicate(std::uint64_t point) const {
  if (!collapsing_) return false;
  for (std::size_t k = controllers_; k < axes_.size(); ++k)
    if (digit(point, k) != 0 && !axis_applies(point, k)) return true;
  return false;
}

// Without exclude: the grid points of one assignment of the controller axes form a block in
// which each axis that applies takes all its values and each other axis its first.
void Grid::count_blocks() {
  const std::uint64_t inner = controllers_ > 0 ? strides_[controllers_ - 1] : product_;
  const std::uint64_t assignments = product_ / inner;
  block_start_.assign(1, 0);
  for (std::uint64_t a = 0; a < assignments; ++a) {
    std::uint64_t size = 1;
    for (std::size_t k = controllers_; k < axes_.size(); ++k)
      if (axis_applies(a * inner, k)) size *= axes_[k].values.size();
    block_start_.push_back(block_start_.back() + size);
  }
  survivors_ = block_start_.back();
  collapsed_ = product_ - survivors_;
}

std::uint64_t Grid::select_collapsed(std::uint64_t rank) const {
  const auto block = std::upper_bound(block_start_.begin(), block_start_.end(), rank) - 1;
  const std::uint64_t inner = controllers_ > 0 ? strides_[controllers_ - 1] : product_;
  std::uint64_t point = static_cast<std::uint64_t>(block - block_start_.begin()) * inner;
  std::uint64_t rest = rank - *block;
  for (std::size_t k = axes_.size(); k-- > controllers_;) {
    if (!axis_applies(point, k)) continue;
    const std::uint64_t size = axes_[k].values.size();
    point += rest % size * strides_[k];
    rest /= size;
  }
  return point;
}

// With exclude: the survivors' bits of duplicates are cleared too (exclude matched first).
void Grid::collapse_excluded() {
  if (!collapsing_) return;
  std::uint64_t count = 0;
  for (std::size_t w = 0; w < bits_.size(); ++w) {
    if (w % kBlockWords == 0) block_rank_[w / kBlockWords] = count;
    for (std::uint64_t word = bits_[w]; word; word &= word - 1) {
      const std::uint64_t point = w * 64 + static_cast<std::uint64_t>(std::countr_zero(word));
      if (duplicate(point)) bits_[w] &= ~(std::uint64_t{1} << (point % 64));
    }
    count += static_cast<std::uint64_t>(std::popcount(bits_[w]));
  }
  collapsed_ = survivors_ - count;
  survivors_ = count;
}

// A new include combination whose identity a grid combination or an earlier new one already
// has is the same trial: it is dropped, and `plan` names it.
void Grid::collapse_includes(const nn::TrialConfig& base) {
  std::map<std::string, std::size_t> seen;
  std::vector<std::size_t> kept;
  for (std::size_t i : added_) {
    nn::TrialConfig config = base;
    for (const Assignment& a : include_[i].values) a.apply(config);
    std::string identity = canonical(config);
    if (auto it = seen.find(identity); it != seen.end()) {
      collapsed_includes_.push_back({i, it->second});
    } else if (grid_point_of(config, identity, base)) {
      collapsed_includes_.push_back({i, std::nullopt});
    } else {
      seen.emplace(std::move(identity), i);
      kept.push_back(i);
    }
  }
  added_ = std::move(kept);
}

std::optional<std::uint64_t> Grid::grid_point_of(const nn::TrialConfig& config,
                                                 const std::string& identity,
                                                 const nn::TrialConfig& base) const {
  if (survivors_ == 0) return std::nullopt;
  std::uint64_t point = 0;
  for (std::size_t k = 0; k < axes_.size(); ++k) {
    if (!axes_[k].setting->applies(config)) continue;  // the first value stands for them all
    const std::string text = axes_[k].setting->text(config);
    const auto& values = axes_[k].values;
    const auto v = std::find_if(values.begin(), values.end(),
                                [&](const Assignment& a) { return a.text == text; });
    if (v == values.end()) return std::nullopt;
    point += static_cast<std::uint64_t>(v - values.begin()) * strides_[k];
  }
  if (!survives(point)) return std::nullopt;
  nn::TrialConfig there = base;
  apply_point(point, there);
  if (canonical(there) != identity) return std::nullopt;
  return point;
}

Grid::Matcher Grid::matcher(const MatrixEntry& entry) const {
  Matcher m;
  for (const Assignment& value : entry.values) {
    auto axis = std::find_if(axes_.begin(), axes_.end(),
                             [&](const GridAxis& a) { return a.setting == value.setting; });
    if (axis == axes_.end()) {
      m.extras.push_back(&value);
      continue;
    }
    const auto found = std::find_if(axis->values.begin(), axis->values.end(),
                                    [&](const Assignment& a) { return a.text == value.text; });
    m.on_axes.emplace_back(static_cast<std::size_t>(axis - axes_.begin()),
                           static_cast<std::size_t>(found - axis->values.begin()));
    if (found == axis->values.end()) m.impossible = true;
  }
  return m;
}

bool Grid::matches(std::uint64_t point, const Matcher& m) const {
  if (m.impossible) return false;
  for (const Digit& d : m.on_axes)
    if (digit(point, d.first) != d.second) return false;
  return true;
}

void Grid::for_each_point(const std::vector<Digit>& fixed,
                          const std::function<bool(std::uint64_t)>& fn) const {
  std::uint64_t point = 0;
  std::vector<std::size_t> free;  // axes not fixed, odometer-counted, last fastest
  for (std::size_t k = 0; k < axes_.size(); ++k) {
    auto f = std::find_if(fixed.begin(), fixed.end(), [k](const Digit& d) { return d.first == k; });
    if (f != fixed.end())
      point += f->second * strides_[k];
    else
      free.push_back(k);
  }
  std::vector<std::size_t> counter(free.size(), 0);
  while (true) {
    if (!fn(point)) return;
    std::size_t i = free.size();
    while (true) {
      if (i == 0) return;  // the odometer wrapped: every point visited
      --i;
      const std::size_t axis = free[i];
      if (++counter[i] < axes_[axis].values.size()) {
        point += strides_[axis];
        break;
      }
      point -= (counter[i] - 1) * strides_[axis];
      counter[i] = 0;
    }
  }
}

std::uint64_t Grid::select(std::uint64_t rank) const {
  // The last block starting at or before `rank` survivors, then word by word, then bit by bit.
  const auto block = std::upper_bound(block_rank_.begin(), block_rank_.end(), rank) - 1;
  std::uint64_t left = rank - *block;
  std::size_t w = static_cast<std::size_t>(block - block_rank_.begin()) * kBlockWords;
  while (true) {
    const auto count = static_cast<std::uint64_t>(std::popcount(bits_[w]));
    if (left < count) break;
    left -= count;
    ++w;
  }
  std::uint64_t word = bits_[w];
  for (; left > 0; --left) word &= word - 1;  // drop the lowest set bits
  return w * 64 + static_cast<std::uint64_t>(std::countr_zero(word));
}

std::uint64_t Grid::point_of(std::uint64_t combination) const {
  if (excluding_) return select(combination);
  return collapsing_ ? select_collapsed(combination) : combination;
}

void Grid::apply(std::uint64_t combination, nn::TrialConfig& config) const {
  if (combination >= survivors_) {
    for (const Assignment& a : include_[added_[combination - survivors_]].values) a.apply(config);
    return;
  }
  apply_point(point_of(combination), config);
}

void Grid::apply_point(std::uint64_t point, nn::TrialConfig& config) const {
  for (std::size_t k = 0; k < axes_.size(); ++k) axes_[k].values[digit(point, k)].apply(config);
  for (std::size_t i = 0; i < include_.size(); ++i) {
    const Matcher& m = include_matchers_[i];
    if (matches(point, m))
      for (const Assignment* a : m.extras) a->apply(config);
  }
}

// The axes whose values can reach a relevant setting: relevant axes, and the axes an include
// entry matches on when it sets a relevant setting.
Grid::Projection Grid::projection(const std::function<bool(const Setting&)>& relevant) const {
  std::vector<bool> projected(axes_.size(), false);
  for (std::size_t k = 0; k < axes_.size(); ++k) projected[k] = relevant(*axes_[k].setting);
  Projection p;
  for (std::size_t i = 0; i < include_.size(); ++i) {
    const Matcher& m = include_matchers_[i];
    if (std::none_of(m.extras.begin(), m.extras.end(),
                     [&](const Assignment* a) { return relevant(*a->setting); }))
      continue;
    p.includes.push_back(i);
    for (const Digit& d : m.on_axes) projected[d.first] = true;
  }
  for (std::size_t k = 0; k < axes_.size(); ++k)
    if (projected[k]) {
      p.axes.push_back(k);
      p.size *= axes_[k].values.size();  // <= product_, which exclude bounds or size checks
    }
  return p;
}

// With exclude, only the projections of surviving points occur.
std::vector<bool> Grid::occurring(const Projection& p) const {
  std::vector<bool> occurs(p.size, false);
  for (std::size_t w = 0; w < bits_.size(); ++w)
    for (std::uint64_t word = bits_[w]; word; word &= word - 1) {
      const std::uint64_t point = w * 64 + static_cast<std::uint64_t>(std::countr_zero(word));
      std::uint64_t q = 0;
      for (std::size_t k : p.axes) q = q * axes_[k].values.size() + digit(point, k);
      occurs[q] = true;
    }
  return occurs;
}

// A grid point with the projected digits of q (the others 0), for include matching.
std::uint64_t Grid::point_of_projection(std::uint64_t q, const Projection& p) const {
  std::uint64_t point = 0;
  for (std::size_t j = p.axes.size(); j-- > 0;) {
    const std::size_t k = p.axes[j];
    point += (q % axes_[k].values.size()) * strides_[k];
    q /= axes_[k].values.size();
  }
  return point;
}

void Grid::for_each_projection(
    const std::function<bool(const Setting&)>& relevant, const nn::TrialConfig& base,
    const std::function<void(const nn::TrialConfig&, const std::vector<const Assignment*>&)>& visit)
    const {
  const Projection p = projection(relevant);
  const std::vector<bool> occurs = excluding_ ? occurring(p) : std::vector<bool>();
  std::vector<const Assignment*> applied;
  nn::TrialConfig config;
  auto use = [&](const Assignment& a) {
    a.apply(config);
    applied.push_back(&a);
  };
  for (std::uint64_t q = 0; survivors_ > 0 && q < p.size; ++q) {
    if (excluding_ && !occurs[q]) continue;
    const std::uint64_t point = point_of_projection(q, p);
    config = base;
    applied.clear();
    for (std::size_t k : p.axes) use(axes_[k].values[digit(point, k)]);
    for (std::size_t i : p.includes)
      if (matches(point, include_matchers_[i]))
        for (const Assignment* a : include_matchers_[i].extras) use(*a);
    visit(config, applied);
  }
  for (std::size_t i : added_) {
    config = base;
    applied.clear();
    for (const Assignment& a : include_[i].values) use(a);
    visit(config, applied);
  }
}

}  // namespace sweeps
