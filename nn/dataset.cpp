#include "nn/dataset.h"

#include <cmath>
#include <numbers>
#include <numeric>

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

// Copies the columns order[first, first + count) of x and y into a split.
Split take(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
           const std::vector<Eigen::Index>& order, std::size_t first, std::size_t count) {
  Split s{Eigen::MatrixXd(x.rows(), static_cast<Eigen::Index>(count)),
          Eigen::MatrixXd(y.rows(), static_cast<Eigen::Index>(count))};
  for (std::size_t k = 0; k < count; ++k) {
    s.x.col(static_cast<Eigen::Index>(k)) = x.col(order[first + k]);
    s.y.col(static_cast<Eigen::Index>(k)) = y.col(order[first + k]);
  }
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

Dataset split_dataset(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const DataConfig& config,
                      Rng& rng) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(x.cols()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  shuffle(std::span(order), rng);
  const SplitSizes sizes = split_sizes(x.cols(), config.train_fraction, config.validation_fraction);
  Dataset d;
  const auto train = static_cast<std::size_t>(sizes.train);
  const auto val = static_cast<std::size_t>(sizes.validation);
  d.validation = take(x, y, order, 0, val);
  d.train = take(x, y, order, val, train);
  d.test = take(x, y, order, val + train, static_cast<std::size_t>(sizes.test));
  return d;
}

Dataset make_dataset(const DataConfig& config, std::uint64_t seed) {
  if (config.dataset == DatasetKind::csv) return load_csv_dataset(config, seed);
  Points p = generate_points(config.dataset, config.points, config.noise, seed);
  const auto n = p.xy.cols();
  Eigen::MatrixXd x(static_cast<Eigen::Index>(config.features.size()), n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (std::size_t f = 0; f < config.features.size(); ++f)
      x(static_cast<Eigen::Index>(f), j) =
          feature_value(config.features[f], p.xy(0, j), p.xy(1, j));
  // The split's shuffle has its own stream, derived from the same seed: one seed fixes both.
  Rng rng(seed ^ 0x9e3779b97f4a7c15ULL);
  Dataset d = split_dataset(x, p.target, config, rng);
  d.task = is_regression(config.dataset) ? Task::regression : Task::binary;
  for (Feature f : config.features) d.feature_names.emplace_back(to_string(f));
  if (d.task == Task::binary) d.class_names = {"0", "1"};
  return d;
}

}  // namespace nn
