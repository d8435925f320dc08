#include "nn/predict.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "nn/dataset.h"

namespace nn {

Eigen::MatrixXd compute_features(const std::vector<Feature>& features, const Eigen::MatrixXd& xy) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(features.size()), xy.cols());
  for (Eigen::Index j = 0; j < xy.cols(); ++j)
    for (std::size_t f = 0; f < features.size(); ++f)
      x(static_cast<Eigen::Index>(f), j) = feature_value(features[f], xy(0, j), xy(1, j));
  return x;
}

Eigen::MatrixXd logits(const Mlp& mlp, std::span<const double> parameters,
                       const Eigen::MatrixXd& x) {
  assert(static_cast<Eigen::Index>(parameters.size()) == mlp.parameter_count());
  assert(x.rows() == mlp.width(0));
  // Blocks of columns bound the workspace for any number of inputs.
  constexpr Eigen::Index kBlock = 1024;
  Mlp::Workspace ws = mlp.make_workspace(std::min<Eigen::Index>(kBlock, x.cols()));
  Eigen::MatrixXd out(mlp.width(mlp.layers()), x.cols());
  for (Eigen::Index start = 0; start < x.cols(); start += kBlock) {
    const Eigen::Index b = std::min(kBlock, x.cols() - start);
    out.middleCols(start, b) = mlp.forward(parameters.data(), x.middleCols(start, b), ws);
  }
  return out;
}

Eigen::MatrixXd predict(const Mlp& mlp, std::span<const double> parameters,
                        const Eigen::MatrixXd& x) {
  Eigen::MatrixXd z = logits(mlp, parameters, x);
  switch (mlp.task()) {
    case Task::regression:
      break;
    case Task::binary:
      z = (1.0 / (1.0 + (-z.array()).exp())).matrix();
      break;
    case Task::multiclass:
      for (Eigen::Index j = 0; j < z.cols(); ++j) {
        const double m = z.col(j).maxCoeff();
        z.col(j) = (z.col(j).array() - m).exp().matrix();
        z.col(j) /= z.col(j).sum();
      }
      break;
  }
  return z;
}

namespace {

// The centres of the grid's cells (2 x resolution^2), top row first.
Eigen::MatrixXd grid_centres(int resolution, double extent) {
  const Eigen::Index n = resolution;
  Eigen::MatrixXd xy(2, n * n);
  const double cell = 2 * extent / static_cast<double>(n);
  for (Eigen::Index r = 0; r < n; ++r)
    for (Eigen::Index c = 0; c < n; ++c)
      xy.col(r * n + c) << -extent + (static_cast<double>(c) + 0.5) * cell,
          extent - (static_cast<double>(r) + 0.5) * cell;
  return xy;
}

}  // namespace

NeuronOutputs neuron_outputs(const Mlp& mlp, std::span<const double> parameters,
                             const std::vector<Feature>& features, int resolution, double extent) {
  assert(resolution >= 1 && extent > 0);
  const Eigen::MatrixXd x = compute_features(features, grid_centres(resolution, extent));
  NeuronOutputs out{.resolution = resolution, .extent = extent, .layers = {}};
  const int hidden = mlp.layers() - 1;
  for (int l = 1; l <= hidden; ++l)
    out.layers.emplace_back(static_cast<std::size_t>(mlp.width(l)),
                            std::vector<double>(static_cast<std::size_t>(x.cols())));
  constexpr Eigen::Index kBlock = 1024;
  Mlp::Workspace ws = mlp.make_workspace(std::min<Eigen::Index>(kBlock, x.cols()));
  for (Eigen::Index start = 0; start < x.cols(); start += kBlock) {
    const Eigen::Index b = std::min(kBlock, x.cols() - start);
    mlp.forward(parameters.data(), x.middleCols(start, b), ws);
    // Mlp::forward ran lane k on samples [k * strip, (k + 1) * strip) of the block.
    const bool single = mlp.precision() == Precision::float32;
    const Eigen::Index lanes = single ? kLanesOf<float> : kLanes;
    const Eigen::Index strip = (b + lanes - 1) / lanes;
    for (int l = 0; l < hidden; ++l) {
      const auto k = static_cast<std::size_t>(l);
      const auto a = [&](Eigen::Index lane, Eigen::Index e) {
        return single ? static_cast<double>(ws.lanes32.out[k](lane, e)) : ws.lanes.out[k](lane, e);
      };
      const Eigen::Index width = mlp.width(l + 1);
      for (Eigen::Index u = 0; u < width; ++u)
        for (Eigen::Index j = 0; j < b; ++j)
          out.layers[static_cast<std::size_t>(l)][static_cast<std::size_t>(u)]
                    [static_cast<std::size_t>(start + j)] = a(j / strip, (j % strip) * width + u);
    }
  }
  const Eigen::MatrixXd y = predict(mlp, parameters, x);
  auto& output = out.layers.emplace_back();
  for (Eigen::Index u = 0; u < y.rows(); ++u) output.emplace_back(y.row(u).begin(), y.row(u).end());
  return out;
}

}  // namespace nn
