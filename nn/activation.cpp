#include "nn/activation.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "nn/vector_math.h"

namespace nn {
namespace {

using simd::Bits;
using simd::reduce_expm1;
using simd::splat;
using simd::Vec;

// Applies `f` to z four numbers at a time, in place; a last partial group is padded, so every
// number goes through the same instructions wherever it sits. (Vec is aligned to a double, so
// any four consecutive numbers are one.)
template <typename F>
[[gnu::always_inline]] inline void each_four(ArrayMap z, F f) {
  double* p = z.data();
  const Eigen::Index n = z.size();
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) f(*reinterpret_cast<Vec*>(p + i));
  if (i < n) {
    Vec v{};
    const auto bytes = static_cast<std::size_t>(n - i) * sizeof(double);
    std::memcpy(&v, p + i, bytes);
    f(v);
    std::memcpy(p + i, &v, bytes);
  }
}

// tanh(z) = sign(z) t / (t + 2) with t = e^(2|z|) - 1: exact at 0 and, past |z| = 20, +-1 as
// the rounded value is. NaN stays NaN. Within 4 units in the last place of libm's tanh.
[[gnu::always_inline]] inline void tanh_in_place(Vec& z) {
  const Bits sign_bit = reinterpret_cast<Bits>(splat(-0.0));
  const Bits sign = reinterpret_cast<Bits>(z) & sign_bit;
  Vec y = reinterpret_cast<Vec>(reinterpret_cast<Bits>(z) & ~sign_bit) * 2.0;
  y = y > 40.0 ? splat(40.0) : y;
  Vec scale;
  reduce_expm1(y, scale);
  const Vec t = scale * y + (scale - 1.0);
  const Vec result = t / (t + 2.0);
  z = reinterpret_cast<Vec>(reinterpret_cast<Bits>(result) | sign);
}

// 1 / (1 + e^-z), with e^-z computed for -z clamped to [-700, 700]: below z = -700 the result
// is 1e-304 rather than smaller. NaN stays NaN. Within 4 units in the last place.
[[gnu::always_inline]] inline void sigmoid_in_place(Vec& z) {
  Vec e = -z;
  simd::exp_in_place(e);
  z = 1.0 / (1.0 + e);
}

// z for z > 0, else e^z - 1 (exactly -1 below z = -40, as the rounded value is).
[[gnu::always_inline]] inline void elu_in_place(Vec& z) {
  Vec y = z > 0.0 ? splat(0.0) : z;
  y = y < -40.0 ? splat(-40.0) : y;
  Vec scale;
  reduce_expm1(y, scale);
  const Vec negative = scale * y + (scale - 1.0);
  z = z > 0.0 ? z : negative;
}

}  // namespace

void activate(Activation f, double leaky_slope, ArrayMap z) {
  switch (f) {
    case Activation::relu:
      z = z.max(0.0);
      return;
    case Activation::tanh:
      each_four(z, [](Vec& v) { tanh_in_place(v); });
      return;
    case Activation::sigmoid:
      each_four(z, [](Vec& v) { sigmoid_in_place(v); });
      return;
    case Activation::linear:
      return;
    case Activation::leaky_relu:
      z = (z > 0.0).select(z, leaky_slope * z);
      return;
    case Activation::elu:
      each_four(z, [](Vec& v) { elu_in_place(v); });
      return;
    case Activation::softplus:
      // log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|).
      z = z.max(0.0) + (-z.abs()).exp().log1p();
      return;
  }
}

void multiply_by_derivative(Activation f, double leaky_slope, ConstArrayMap a, ArrayMap g) {
  switch (f) {
    case Activation::relu:
      g = (a > 0.0).select(g, 0.0);
      return;
    case Activation::tanh:
      g *= 1.0 - a.square();
      return;
    case Activation::sigmoid:
      g *= a * (1.0 - a);
      return;
    case Activation::linear:
      return;
    case Activation::leaky_relu:
      g = (a > 0.0).select(g, leaky_slope * g);
      return;
    case Activation::elu:
      g = (a > 0.0).select(g, g * (a + 1.0));
      return;
    case Activation::softplus:
      // f'(z) = sigmoid(z) = 1 - e^-f(z).
      g *= -(-a).expm1();
      return;
  }
}

}  // namespace nn
