#include "nn/activation.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "nn/vector_math.h"

namespace nn {
namespace {

using simd::BitsOf;

// Applies `f` to z, a vector V of numbers at a time, in place; a last partial group is padded,
// so every number goes through the same instructions wherever it sits.
template <typename V, typename F>
[[gnu::always_inline]] inline void each(double* p, Eigen::Index n, F f) {
  constexpr auto kWidth = static_cast<Eigen::Index>(sizeof(V) / sizeof(double));
  Eigen::Index i = 0;
  for (; i + kWidth <= n; i += kWidth) f(*reinterpret_cast<V*>(p + i));
  if (i < n) {
    V v{};
    const auto bytes = static_cast<std::size_t>(n - i) * sizeof(double);
    std::memcpy(&v, p + i, bytes);
    f(v);
    std::memcpy(p + i, &v, bytes);
  }
}

// tanh(z) = sign(z) t / (t + 2) with t = e^(2|z|) - 1: exact at 0 and, past |z| = 20, +-1 as
// the rounded value is. NaN stays NaN. Within 4 units in the last place of libm's tanh.
template <typename V>
[[gnu::always_inline]] inline void tanh_in_place(V& z) {
  using Bits = BitsOf<V>;
  const Bits sign_bit = reinterpret_cast<Bits>(-V{});  // -0.0: the sign bit alone
  const Bits sign = reinterpret_cast<Bits>(z) & sign_bit;
  V y = reinterpret_cast<V>(reinterpret_cast<Bits>(z) & ~sign_bit) * 2.0;
  y = y > 40.0 ? (V{} + 40.0) : y;
  V scale;
  simd::reduce_expm1(y, scale);
  const V t = scale * y + (scale - 1.0);
  const V result = t / (t + 2.0);
  z = reinterpret_cast<V>(reinterpret_cast<Bits>(result) | sign);
}

// 1 / (1 + e^-z), with e^-z computed for -z clamped to [-700, 700]: below z = -700 the result
// is 1e-304 rather than smaller. NaN stays NaN. Within 4 units in the last place.
template <typename V>
[[gnu::always_inline]] inline void sigmoid_in_place(V& z) {
  V e = -z;
  simd::exp_in_place(e);
  z = 1.0 / (1.0 + e);
}

// z for z > 0, else e^z - 1 (exactly -1 below z = -40, as the rounded value is).
template <typename V>
[[gnu::always_inline]] inline void elu_in_place(V& z) {
  V y = z > 0.0 ? (V{} + 0.0) : z;
  y = y < -40.0 ? (V{} + -40.0) : y;
  V scale;
  simd::reduce_expm1(y, scale);
  const V negative = scale * y + (scale - 1.0);
  z = z > 0.0 ? z : negative;
}

// log(1 + e^-|z|) over n numbers, exact to a few units in the last place for any z; NaN stays
// NaN.
template <typename V>
[[gnu::always_inline]] inline void log1p_exp_neg_abs_each(double* p, Eigen::Index n) {
  each<V>(
      p, n, [](V & z) __attribute__((always_inline)) {
        using Bits = BitsOf<V>;
        V e =
            reinterpret_cast<V>(reinterpret_cast<Bits>(z) | reinterpret_cast<Bits>(-V{}));  // -|z|
        simd::exp_in_place(e);
        simd::log1p_unit(e);
        z = e;
      });
}

// The functions built on exp, in vectors of V. Returns false for the others.
template <typename V>
[[gnu::always_inline]] inline bool activate_exp(Activation f, double* p, Eigen::Index n) {
  switch (f) {
    case Activation::tanh:
      each<V>(
          p, n, [](V & v) __attribute__((always_inline)) { tanh_in_place(v); });
      return true;
    case Activation::sigmoid:
      each<V>(
          p, n, [](V & v) __attribute__((always_inline)) { sigmoid_in_place(v); });
      return true;
    case Activation::elu:
      each<V>(
          p, n, [](V & v) __attribute__((always_inline)) { elu_in_place(v); });
      return true;
    default:
      return false;
  }
}

#if NNSWEEP_SIMD_WIDE
// The same eight numbers at a time, on CPUs with AVX-512 (twice the numbers per instruction).
__attribute__((target("avx512f,fma"))) bool activate_exp_avx512(Activation f, double* p,
                                                                Eigen::Index n) {
  return activate_exp<simd::Vec8>(f, p, n);
}
__attribute__((target("avx512f,fma"))) void log1p_exp_neg_abs_avx512(double* p, Eigen::Index n) {
  log1p_exp_neg_abs_each<simd::Vec8>(p, n);
}
#else
bool activate_exp_avx512(Activation, double*, Eigen::Index) {
  return false;
}
void log1p_exp_neg_abs_avx512(double*, Eigen::Index) {}
#endif

}  // namespace

bool activate_exp_width(Activation f, ArrayMap z, int width) {
  if (width == 8) return simd::has_avx512() && activate_exp_avx512(f, z.data(), z.size());
  return activate_exp<simd::Vec4>(f, z.data(), z.size());
}

void activate(Activation f, double leaky_slope, ArrayMap z) {
  switch (f) {
    case Activation::relu:
      z = z.max(0.0);
      return;
    case Activation::tanh:
    case Activation::sigmoid:
    case Activation::elu:
      activate_exp_width(f, z, simd::has_avx512() ? 8 : 4);
      return;
    case Activation::linear:
      return;
    case Activation::leaky_relu:
      z = (z > 0.0).select(z, leaky_slope * z);
      return;
    case Activation::softplus:
      // log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|).
      z = z.max(0.0) + (-z.abs()).exp().log1p();
      return;
  }
}

bool log1p_exp_neg_abs_width(ArrayMap z, int width) {
  if (width == 8) {
    if (!simd::has_avx512()) return false;
    log1p_exp_neg_abs_avx512(z.data(), z.size());
    return true;
  }
  if (width != 4) return false;
  log1p_exp_neg_abs_each<simd::Vec4>(z.data(), z.size());
  return true;
}

void log1p_exp_neg_abs(ArrayMap z) {
  log1p_exp_neg_abs_width(z, simd::has_avx512() ? 8 : 4);
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
