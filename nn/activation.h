// Hidden-layer activation functions, applied element-wise to a whole (units x batch) block.
// The derivative is computed from the activation's output (not its input), so the backward pass
// needs no stored pre-activations: every function here has a derivative that is a function of
// its value.
#pragma once

#include <Eigen/Core>

#include "nn/config.h"

namespace nn {

using MatrixRef = Eigen::Ref<Eigen::MatrixXd>;
using ConstMatrixRef = Eigen::Ref<const Eigen::MatrixXd>;

// In place: on entry `za` holds z, on return f(z).
void activate(Activation f, double leaky_slope, MatrixRef za);

// grad *= f'(z), where `a` = f(z) is the stored output.
void multiply_by_derivative(Activation f, double leaky_slope, const ConstMatrixRef& a,
                            MatrixRef grad);

}  // namespace nn
