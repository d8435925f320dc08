// Running a trained network on new inputs: the features of raw 2-D points (as built-in datasets
// compute them) and the network's outputs from a flat parameter vector (the layout of
// nn/mlp.h). Outputs are what the output layer means: the probability of class 1 (binary), one
// probability per class (multiclass) or the value (regression). Deterministic and
// single-threaded; the same parameters and inputs give the same bits as training's forward pass.
#pragma once

#include <Eigen/Core>
#include <span>
#include <vector>

#include "nn/config.h"
#include "nn/mlp.h"

namespace nn {

// (features x n) from raw points xy (2 x n): row f holds feature_value(features[f], x1, x2).
Eigen::MatrixXd compute_features(const std::vector<Feature>& features, const Eigen::MatrixXd& xy);

// The logits (outputs x n) of inputs x (inputs x n). REQUIRES parameters.size() ==
// mlp.parameter_count() and x.rows() == mlp.width(0).
Eigen::MatrixXd logits(const Mlp& mlp, std::span<const double> parameters,
                       const Eigen::MatrixXd& x);

// The outputs (outputs x n): sigmoid, softmax or identity of the logits, by the task.
Eigen::MatrixXd predict(const Mlp& mlp, std::span<const double> parameters,
                        const Eigen::MatrixXd& x);

}  // namespace nn
