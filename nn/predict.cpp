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

}  // namespace nn
