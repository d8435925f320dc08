#include "nn/dataset.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <span>

#include <sys/mman.h>
#include <unistd.h>

#include "nn/csv_data.h"
#include "nn/random.h"

namespace nn {
namespace {

constexpr double kPi = std::numbers::pi;

// TensorFlow Playground's generators, labels 1 (positive) / 0 (negative).
void circle(Points& p, int n, double noise, Rng& rng) {
  constexpr double radius = 5.0;
  for (int i = 0; i < n; ++i) {
    const bool inner = i < n / 2;
    const double r = inner ? uniform(rng, 0.0, radius * 0.5) : uniform(rng, radius * 0.7, radius);
    const double angle = uniform(rng, 0.0, 2.0 * kPi);
    const double x = r * std::sin(angle), y = r * std::cos(angle);
    const double nx = uniform(rng, -radius, radius) * noise;
    const double ny = uniform(rng, -radius, radius) * noise;
    p.xy.col(i) << x, y;
    p.target(i) = std::hypot(x + nx, y + ny) < radius * 0.5 ? 1.0 : 0.0;
  }
}

void xor_(Points& p, int n, double noise, Rng& rng) {
  constexpr double padding = 0.3;
  for (int i = 0; i < n; ++i) {
    double x = uniform(rng, -5.0, 5.0), y = uniform(rng, -5.0, 5.0);
    x += x > 0 ? padding : -padding;
    y += y > 0 ? padding : -padding;
    const double nx = uniform(rng, -5.0, 5.0) * noise, ny = uniform(rng, -5.0, 5.0) * noise;
    p.xy.col(i) << x, y;
    p.target(i) = (x + nx) * (y + ny) >= 0 ? 1.0 : 0.0;
  }
}

void gauss(Points& p, int n, double noise, Rng& rng) {
  const double stddev = std::sqrt(0.5 + 7.0 * noise);  // variance 0.5 .. 4 over noise 0 .. 0.5
  for (int i = 0; i < n; ++i) {
    const bool positive = i < n / 2;
    const double centre = positive ? 2.0 : -2.0;
    const double x = normal(rng, centre, stddev), y = normal(rng, centre, stddev);
    p.xy.col(i) << x, y;
    p.target(i) = positive ? 1.0 : 0.0;
  }
}

void spiral(Points& p, int n, double noise, Rng& rng) {
  const int arm = n / 2;
  int k = 0;
  for (const double delta : {0.0, kPi}) {
    for (int i = 0; i < (delta == 0.0 ? arm : n - arm); ++i, ++k) {
      const double r = 5.0 * i / arm;
      const double t = 1.75 * i / arm * 2.0 * kPi + delta;
      const double x = r * std::sin(t) + uniform(rng, -1.0, 1.0) * noise;
      const double y = r * std::cos(t) + uniform(rng, -1.0, 1.0) * noise;
      p.xy.col(k) << x, y;
      p.target(k) = delta == 0.0 ? 1.0 : 0.0;
    }
  }
}

void plane(Points& p, int n, double noise, Rng& rng) {
  for (int i = 0; i < n; ++i) {
    const double x = uniform(rng, -6.0, 6.0), y = uniform(rng, -6.0, 6.0);
    const double nx = uniform(rng, -6.0, 6.0) * noise, ny = uniform(rng, -6.0, 6.0) * noise;
    p.xy.col(i) << x, y;
    p.target(i) = ((x + nx) + (y + ny)) / 10.0;
  }
}

void multi_gauss(Points& p, int n, double noise, Rng& rng) {
  struct Centre {
    double x, y, sign;
  };
  constexpr Centre centres[] = {{-4, 2.5, 1},   {0, 2.5, -1}, {4, 2.5, 1},
                                {-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1}};
  for (int i = 0; i < n; ++i) {
    const double x = uniform(rng, -6.0, 6.0), y = uniform(rng, -6.0, 6.0);
    const double nx = uniform(rng, -6.0, 6.0) * noise, ny = uniform(rng, -6.0, 6.0) * noise;
    double label = 0.0;
    for (const Centre& c : centres) {
      const double d = std::hypot(x + nx - c.x, y + ny - c.y);
      const double value = c.sign * std::clamp(1.0 - d / 2.0, 0.0, 1.0);
      if (std::abs(value) > std::abs(label)) label = value;
    }
    p.xy.col(i) << x, y;
    p.target(i) = label;
  }
}

// Copies the columns `samples` of x and y into a split, then frees `samples` (the index lists
// of a split's parts go before its copies grow, which keeps a large CSV's peak memory low).
Split take(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::MatrixXd& y,
           std::vector<Eigen::Index>&& samples) {
  const auto count = static_cast<Eigen::Index>(samples.size());
  Split s{Eigen::MatrixXd(x.rows(), count), Eigen::MatrixXd(y.rows(), count)};
  // The samples come in shuffled order: fetching a few ahead hides most of each cache miss.
  constexpr Eigen::Index kAhead = 8;
  for (Eigen::Index k = 0; k < count; ++k) {
    const auto at = [&](Eigen::Index i) { return samples[static_cast<std::size_t>(i)]; };
    if (k + kAhead < count)
      for (Eigen::Index r = 0; r < x.rows(); r += 8)
        __builtin_prefetch(x.col(at(k + kAhead)).data() + r);
    s.x.col(k) = x.col(at(k));
    s.y.col(k) = y.col(at(k));
  }
  std::vector<Eigen::Index>().swap(samples);
  return s;
}

}  // namespace

double feature_value(Feature f, double x1, double x2) {
  switch (f) {
    case Feature::x1:
      return x1;
    case Feature::x2:
      return x2;
    case Feature::x1_squared:
      return x1 * x1;
    case Feature::x2_squared:
      return x2 * x2;
    case Feature::x1_times_x2:
      return x1 * x2;
    case Feature::sin_x1:
      return std::sin(x1);
    case Feature::sin_x2:
      return std::sin(x2);
  }
  return 0.0;
}

bool is_regression(DatasetKind kind) {
  return kind == DatasetKind::plane || kind == DatasetKind::multi_gauss;
}

Points generate_points(DatasetKind kind, int n, double noise, std::uint64_t seed) {
  Rng rng(seed);
  Points p{Eigen::MatrixXd(2, n), Eigen::RowVectorXd(n)};
  switch (kind) {
    case DatasetKind::circle:
      circle(p, n, noise, rng);
      break;
    case DatasetKind::xor_:
      xor_(p, n, noise, rng);
      break;
    case DatasetKind::gauss:
      gauss(p, n, noise, rng);
      break;
    case DatasetKind::spiral:
      spiral(p, n, noise, rng);
      break;
    case DatasetKind::plane:
      plane(p, n, noise, rng);
      break;
    case DatasetKind::multi_gauss:
      multi_gauss(p, n, noise, rng);
      break;
    case DatasetKind::csv:
      break;
  }
  return p;
}

SplitSizes split_sizes(Eigen::Index n, double train_fraction, double validation_fraction) {
  // As Playground: floor(n * train share) samples train, the rest test.
  const auto train_and_val = static_cast<Eigen::Index>(std::floor(n * train_fraction));
  const auto val = static_cast<Eigen::Index>(std::floor(train_and_val * validation_fraction));
  return {train_and_val - val, val, n - train_and_val};
}

SplitSizes split_sizes(Eigen::Index n, const DataConfig& config) {
  if (config.split == SplitMethod::holdout)
    return split_sizes(n, config.train_fraction, config.validation_fraction);
  const SplitSizes part = split_sizes(n, config.train_fraction, 0.0);
  // Position p of the cross-validated part goes to fold p mod folds.
  const Eigen::Index folds = config.folds, fold = config.fold;
  const Eigen::Index val = part.train / folds + (fold < part.train % folds ? 1 : 0);
  return {part.train - val, val, part.test};
}

bool stratifies(const DataConfig& config, Task task) {
  return config.stratify == Stratify::yes ||
         (config.stratify == Stratify::automatic && task != Task::regression);
}

std::vector<Eigen::Index> apportion(const std::vector<Eigen::Index>& counts, Eigen::Index total) {
  const Eigen::Index n = std::accumulate(counts.begin(), counts.end(), Eigen::Index{0});
  std::vector<Eigen::Index> share(counts.size());
  std::vector<std::pair<double, std::size_t>> remainder;  // (fraction lost, class)
  Eigen::Index given = 0;
  for (std::size_t c = 0; c < counts.size(); ++c) {
    // Exact in integers: counts[c] * total / n, and what the floor dropped.
    const auto product = static_cast<long double>(counts[c]) * static_cast<long double>(total);
    share[c] = static_cast<Eigen::Index>(std::floor(product / static_cast<long double>(n)));
    given += share[c];
    remainder.emplace_back(static_cast<double>(product / n - share[c]), c);
  }
  // Largest remainders first; equal ones by class order, so the result is deterministic.
  std::sort(remainder.begin(), remainder.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (std::size_t k = 0; given < total && k < remainder.size(); ++k, ++given)
    ++share[remainder[k].second];
  return share;
}

namespace {

// The class of each sample: its 0/1 target, or the row of its one-hot column.
std::vector<int> labels_of(const Eigen::MatrixXd& y) {
  std::vector<int> label(static_cast<std::size_t>(y.cols()));
  for (Eigen::Index j = 0; j < y.cols(); ++j) {
    Eigen::Index k = 0;
    if (y.rows() == 1)
      k = y(0, j) > 0.5 ? 1 : 0;
    else
      y.col(j).maxCoeff(&k);
    label[static_cast<std::size_t>(j)] = static_cast<int>(k);
  }
  return label;
}

std::vector<Eigen::Index> count_labels(const std::vector<int>& label,
                                       std::span<const Eigen::Index> samples) {
  std::vector<Eigen::Index> counts;
  for (const Eigen::Index j : samples) {
    const auto k = static_cast<std::size_t>(label[static_cast<std::size_t>(j)]);
    if (k >= counts.size()) counts.resize(k + 1, 0);
    ++counts[k];
  }
  return counts;
}

// The first `quota[c]` samples of each class c, in `samples`' order, then the rest: the
// shuffled order cut by class quotas, so each part keeps a random order of its own.
std::pair<std::vector<Eigen::Index>, std::vector<Eigen::Index>> take_quotas(
    std::span<const Eigen::Index> samples, const std::vector<int>& label,
    std::vector<Eigen::Index> quota) {
  std::pair<std::vector<Eigen::Index>, std::vector<Eigen::Index>> parts;
  for (const Eigen::Index j : samples) {
    Eigen::Index& left = quota[static_cast<std::size_t>(label[static_cast<std::size_t>(j)])];
    (left > 0 ? parts.first : parts.second).push_back(j);
    if (left > 0) --left;
  }
  return parts;
}

// The first `count` samples (by class quotas when stratified), and the rest.
std::pair<std::vector<Eigen::Index>, std::vector<Eigen::Index>> cut(
    std::span<const Eigen::Index> samples, Eigen::Index count, const std::vector<int>* label) {
  if (label) return take_quotas(samples, *label, apportion(count_labels(*label, samples), count));
  const auto middle = samples.begin() + count;
  return {{samples.begin(), middle}, {middle, samples.end()}};
}

// Fold `fold` of the cross-validated part (validation) and the other folds (training), each in
// the part's order. Position p goes to fold p mod folds; stratified, the positions are counted
// class by class (the samples grouped by class, each in the part's order), so that every fold holds
// each class's count divided by folds, rounded one way or the other, and folds differ by one sample
// at most.
std::pair<std::vector<Eigen::Index>, std::vector<Eigen::Index>> fold_of(
    const std::vector<Eigen::Index>& part, Eigen::Index n, const DataConfig& config,
    const std::vector<int>* label) {
  // The part's samples class by class, each class in the part's order (a counting sort).
  std::vector<Eigen::Index> dealt = part;
  if (label) {
    std::vector<std::vector<Eigen::Index>> by_class;
    for (const Eigen::Index j : part) {
      const auto k = static_cast<std::size_t>((*label)[static_cast<std::size_t>(j)]);
      if (k >= by_class.size()) by_class.resize(k + 1);
      by_class[k].push_back(j);
    }
    dealt.clear();
    for (const auto& members : by_class) dealt.insert(dealt.end(), members.begin(), members.end());
  }
  std::vector<int> fold(static_cast<std::size_t>(n), -1);
  for (std::size_t p = 0; p < dealt.size(); ++p)
    fold[static_cast<std::size_t>(dealt[p])] =
        static_cast<int>(p % static_cast<std::size_t>(config.folds));
  std::pair<std::vector<Eigen::Index>, std::vector<Eigen::Index>> parts;
  for (const Eigen::Index j : part)
    (fold[static_cast<std::size_t>(j)] == config.fold ? parts.first : parts.second).push_back(j);
  return parts;
}

}  // namespace

namespace {

// The samples of each split, as split_dataset cuts them; the class counts into `d`.
struct SplitSamples {
  std::vector<Eigen::Index> validation, train, test;
};
SplitSamples split_samples(Eigen::Index n, const Eigen::MatrixXd& y, const DataConfig& config,
                           Rng& rng, Dataset& d) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  shuffle(std::span(order), rng);
  const std::vector<int> labels = stratifies(config, d.task) ? labels_of(y) : std::vector<int>{};
  const std::vector<int>* label = labels.empty() ? nullptr : &labels;
  if (label) d.class_counts = count_labels(labels, order);
  // The test share first; then validation and training out of what is left. Each list of
  // indices is freed as soon as it has been cut.
  auto [part, test] = cut(order, split_sizes(n, config.train_fraction, 0.0).train, label);
  std::vector<Eigen::Index>().swap(order);
  auto [val, train] = config.split == SplitMethod::kfold
                          ? fold_of(part, n, config, label)
                          : cut(part, split_sizes(n, config).validation, label);
  return {std::move(val), std::move(train), std::move(test)};
}

// Gives the whole pages of [begin, end) back to the system: reading them afterwards gives zeros.
void release_pages(const double* begin, const double* end) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto from = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
  const auto to = reinterpret_cast<std::uintptr_t>(end) / page * page;
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
}

// Reorders the columns of x in place so that column k holds the one at samples[k] (REQUIRES
// samples a permutation of x's columns), following each cycle of the permutation once.
void gather_in_place(Eigen::Map<Eigen::MatrixXd>& x, const std::vector<Eigen::Index>& samples) {
  std::vector<bool> placed(samples.size(), false);
  Eigen::VectorXd held(x.rows());
  for (std::size_t start = 0; start < samples.size(); ++start) {
    if (placed[start]) continue;
    held = x.col(static_cast<Eigen::Index>(start));
    auto k = static_cast<Eigen::Index>(start);
    for (;;) {
      placed[static_cast<std::size_t>(k)] = true;
      const Eigen::Index from = samples[static_cast<std::size_t>(k)];
      if (from == static_cast<Eigen::Index>(start)) {
        x.col(k) = held;
        break;
      }
      x.col(k) = x.col(from);
      k = from;
    }
  }
}

}  // namespace

Dataset split_dataset(Eigen::Ref<const Eigen::MatrixXd> x, const Eigen::MatrixXd& y, Task task,
                      const DataConfig& config, Rng& rng) {
  Dataset d;
  d.task = task;
  SplitSamples s = split_samples(x.cols(), y, config, rng, d);
  d.validation = take(x, y, std::move(s.validation));
  d.train = take(x, y, std::move(s.train));
  d.test = take(x, y, std::move(s.test));
  return d;
}

Dataset split_dataset_consuming(Eigen::Map<Eigen::MatrixXd> x, const Eigen::MatrixXd& y, Task task,
                                const DataConfig& config, Rng& rng) {
  Dataset d;
  d.task = task;
  SplitSamples s = split_samples(x.cols(), y, config, rng, d);
  // Training, validation and test samples side by side in x, in their splits' orders; then each
  // split is copied out a block at a time from x's end, whose pages go as soon as they are
  // copied: x and the splits never take much more than x's room together.
  std::vector<Eigen::Index> all;
  all.reserve(static_cast<std::size_t>(x.cols()));
  for (const auto* part : {&s.train, &s.validation, &s.test})
    all.insert(all.end(), part->begin(), part->end());
  gather_in_place(x, all);
  std::vector<Eigen::Index>().swap(all);
  constexpr Eigen::Index kBlock = 4096;  // columns copied between releases
  Eigen::Index end = x.cols();
  for (auto [split, samples] :
       {std::pair{&d.test, &s.test}, std::pair{&d.validation, &s.validation},
        std::pair{&d.train, &s.train}}) {
    const auto count = static_cast<Eigen::Index>(samples->size());
    *split = take(x.topRows(0), y, std::move(*samples));  // the targets; the inputs below
    split->x.resize(x.rows(), count);
    const Eigen::Index begin = end - count;
    for (Eigen::Index to = count; to > 0;) {
      const Eigen::Index from = std::max<Eigen::Index>(0, to - kBlock);
      split->x.middleCols(from, to - from) = x.middleCols(begin + from, to - from);
      release_pages(x.data() + (begin + from) * x.rows(), x.data() + end * x.rows());
      end = begin + from;
      to = from;
    }
  }
  return d;
}

Dataset make_dataset(const DataConfig& config, std::uint64_t seed, ParseUse use) {
  if (config.dataset == DatasetKind::csv) return load_csv_dataset(config, seed, use);
  Points p = generate_points(config.dataset, config.points, config.noise, seed);
  const auto n = p.xy.cols();
  Eigen::MatrixXd x(static_cast<Eigen::Index>(config.features.size()), n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (std::size_t f = 0; f < config.features.size(); ++f)
      x(static_cast<Eigen::Index>(f), j) =
          feature_value(config.features[f], p.xy(0, j), p.xy(1, j));
  // The split's shuffle has its own stream, derived from the same seed: one seed fixes both.
  Rng rng(seed ^ 0x9e3779b97f4a7c15ULL);
  const Task task = is_regression(config.dataset) ? Task::regression : Task::binary;
  Dataset d = split_dataset(x, p.target, task, config, rng);
  for (Feature f : config.features) d.feature_names.emplace_back(to_string(f));
  if (d.task == Task::binary) d.class_names = {"0", "1"};
  return d;
}

}  // namespace nn
