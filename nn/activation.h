// Hidden-layer activation functions, applied element-wise to a whole block of outputs.
// The derivative is computed from the activation's output (not its input), so the backward pass
// needs no stored pre-activations: every function here has a derivative that is a function of
// its value.
#pragma once

#include <Eigen/Core>

#include "nn/config.h"

namespace nn {

using MatrixRef = Eigen::Ref<Eigen::MatrixXd>;
using ConstMatrixRef = Eigen::Ref<const Eigen::MatrixXd>;

// Contiguous blocks of numbers, whatever matrices they hold: one flat loop is what Eigen
// vectorises best (a Ref to a matrix cost a third more per exp).
using ArrayMap = Eigen::Map<Eigen::ArrayXd>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXd>;

// In place: on entry `z` holds z, on return f(z).
void activate(Activation f, double leaky_slope, ArrayMap z);

// grad *= f'(z), where `a` = f(z) is the stored output.
void multiply_by_derivative(Activation f, double leaky_slope, ConstArrayMap a, ArrayMap grad);

}  // namespace nn
