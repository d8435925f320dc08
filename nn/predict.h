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

// Every neuron's output over a grid of the input square [-extent, extent]^2, as TensorFlow
// Playground draws its neurons: the value at the centre of each of resolution x resolution
// cells, row-major from the top row (x2 = +extent) with x1 increasing (results::Boundary's
// order). The network's inputs are `features` of each cell's (x1, x2), as compute_features().
struct NeuronOutputs {
  int resolution = 0;
  double extent = 0;
  // layers[l][u]: the grid of unit u of hidden layer l + 1 (after its activation); the last
  // entry is the output layer, as predict() gives it.
  std::vector<std::vector<std::vector<double>>> layers;
};

// REQUIRES resolution >= 1, extent > 0, features.size() == mlp.width(0) and parameters as
// logits() requires. The same bits as training's forward pass at those inputs.
NeuronOutputs neuron_outputs(const Mlp& mlp, std::span<const double> parameters,
                             const std::vector<Feature>& features, int resolution, double extent);

}  // namespace nn
