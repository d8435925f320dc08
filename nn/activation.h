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
// vectorises best (a Ref to a matrix adds a loop over columns and its bookkeeping to every exp).
using ArrayMap = Eigen::Map<Eigen::ArrayXd>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXd>;
// The same of floats (train.precision float32): every function below has an overload for them,
// the same operations in float arithmetic, twice the numbers per instruction.
using ArrayMapF = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMapF = Eigen::Map<const Eigen::ArrayXf>;

// In place: on entry `z` holds z, on return f(z).
void activate(Activation f, double leaky_slope, ArrayMap z);

// The same in vectors of `width` doubles: 4, or 8 where the CPU has AVX-512 (activate picks 8
// there). The results are the same whatever the width. Returns false, leaving z alone, for a
// width this CPU cannot do.
bool activate_width(Activation f, double leaky_slope, ArrayMap z, int width);
bool activate_width(Activation f, double leaky_slope, ArrayMapF z, int width);

// log(1 + e^-|z|) in place: the part of the binary cross-entropy of sigmoid(z) that needs exp and
// log, eight numbers at a time where activate() takes eight (the same results at any width).
void log1p_exp_neg_abs(ArrayMap z);
// The same in vectors of `width` (4 or 8); false, leaving z alone, if this CPU cannot.
bool log1p_exp_neg_abs_width(ArrayMap z, int width);
bool log1p_exp_neg_abs_width(ArrayMapF z, int width);

// grad *= f'(z), where `a` = f(z) is the stored output.
void multiply_by_derivative(Activation f, double leaky_slope, ConstArrayMap a, ArrayMap grad);
// The same in vectors of `width` (4 or 8), the same results; false, leaving grad alone, if this
// CPU cannot.
bool multiply_by_derivative_width(Activation f, double leaky_slope, ConstArrayMap a, ArrayMap grad,
                                  int width);
bool multiply_by_derivative_width(Activation f, double leaky_slope, ConstArrayMapF a,
                                  ArrayMapF grad, int width);

}  // namespace nn
