#include "nn/activation.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "nn/vector_math.h"

namespace nn {
namespace {

using simd::BitsOf;
using simd::ElementOf;

// Applies `f` to z, a vector V of numbers at a time, in place; a last partial group is padded,
// so every number goes through the same instructions wherever it sits.
template <typename V, typename F>
[[gnu::always_inline]] inline void each(ElementOf<V>* p, Eigen::Index n, F f) {
  constexpr auto kWidth = static_cast<Eigen::Index>(sizeof(V) / sizeof(ElementOf<V>));
  Eigen::Index i = 0;
  for (; i + kWidth <= n; i += kWidth) f(*reinterpret_cast<V*>(p + i));
  if (i < n) {
    V v{};
    const auto bytes = static_cast<std::size_t>(n - i) * sizeof(ElementOf<V>);
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
[[gnu::always_inline]] inline void log1p_exp_neg_abs_each(ElementOf<V>* p, Eigen::Index n) {
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

// z for z >= 0, else 0; NaN and -0 stay as they are (what Eigen's max(z, 0) gives).
template <typename V>
[[gnu::always_inline]] inline void relu_in_place(V& z) {
  z = z < 0.0 ? V{} : z;
}

// The functions with vector code of their own, in vectors of V: tanh, sigmoid and elu (built on
// exp) and relu. Returns false for the others.
template <typename V>
[[gnu::always_inline]] inline bool activate_each(Activation f, ElementOf<V>* p, Eigen::Index n) {
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
    case Activation::relu:
      each<V>(
          p, n, [](V & v) __attribute__((always_inline)) { relu_in_place(v); });
      return true;
    default:
      return false;
  }
}

// g = op(a, g) over n numbers of a and g, a vector V at a time, a last partial group padded as
// in each().
template <typename V, typename Op>
[[gnu::always_inline]] inline void each_pair(const ElementOf<V>* a, ElementOf<V>* g, Eigen::Index n,
                                             Op op) {
  constexpr auto kWidth = static_cast<Eigen::Index>(sizeof(V) / sizeof(ElementOf<V>));
  Eigen::Index i = 0;
  for (; i + kWidth <= n; i += kWidth)
    op(*reinterpret_cast<const V*>(a + i), *reinterpret_cast<V*>(g + i));
  if (i < n) {
    V av{}, gv{};
    const auto bytes = static_cast<std::size_t>(n - i) * sizeof(ElementOf<V>);
    std::memcpy(&av, a + i, bytes);
    std::memcpy(&gv, g + i, bytes);
    op(av, gv);
    std::memcpy(g + i, &gv, bytes);
  }
}

// g *= f'(z) from a = f(z), in vectors of V, for tanh, sigmoid and relu (the backward pass of
// most networks). Returns false for the others.
template <typename V>
[[gnu::always_inline]] inline bool derivative_each(Activation f, const ElementOf<V>* a,
                                                   ElementOf<V>* g, Eigen::Index n) {
  switch (f) {
    case Activation::tanh:
      each_pair<V>(
          a, g, n, [](const V& av, V& gv) __attribute__((always_inline)) { gv *= 1.0 - av * av; });
      return true;
    case Activation::sigmoid:
      each_pair<V>(
          a, g, n,
          [](const V& av, V& gv) __attribute__((always_inline)) { gv *= av * (1.0 - av); });
      return true;
    case Activation::relu:
      each_pair<V>(
          a, g, n,
          [](const V& av, V& gv) __attribute__((always_inline)) { gv = av > 0.0 ? gv : V{}; });
      return true;
    default:
      return false;
  }
}

#if NNSWEEP_SIMD_WIDE
// The same eight numbers at a time, on CPUs with AVX-512 (twice the numbers per instruction).
__attribute__((target("avx512f,fma"))) bool activate_avx512(Activation f, double* p,
                                                            Eigen::Index n) {
  return activate_each<simd::Vec8>(f, p, n);
}
__attribute__((target("avx512f,fma"))) bool derivative_avx512(Activation f, const double* a,
                                                              double* g, Eigen::Index n) {
  return derivative_each<simd::Vec8>(f, a, g, n);
}
__attribute__((target("avx512f,fma"))) void log1p_exp_neg_abs_avx512(double* p, Eigen::Index n) {
  log1p_exp_neg_abs_each<simd::Vec8>(p, n);
}
// float32: sixteen floats an instruction.
__attribute__((target("avx512f,fma"))) bool activate_avx512(Activation f, float* p,
                                                            Eigen::Index n) {
  return activate_each<simd::Vec16f>(f, p, n);
}
__attribute__((target("avx512f,fma"))) bool derivative_avx512(Activation f, const float* a,
                                                              float* g, Eigen::Index n) {
  return derivative_each<simd::Vec16f>(f, a, g, n);
}
__attribute__((target("avx512f,fma"))) void log1p_exp_neg_abs_avx512(float* p, Eigen::Index n) {
  log1p_exp_neg_abs_each<simd::Vec16f>(p, n);
}
#else
bool activate_avx512(Activation, double*, Eigen::Index) {
  return false;
}
bool derivative_avx512(Activation, const double*, double*, Eigen::Index) {
  return false;
}
void log1p_exp_neg_abs_avx512(double*, Eigen::Index) {}
bool activate_avx512(Activation, float*, Eigen::Index) {
  return false;
}
bool derivative_avx512(Activation, const float*, float*, Eigen::Index) {
  return false;
}
void log1p_exp_neg_abs_avx512(float*, Eigen::Index) {}
#endif

// The public functions below for doubles or floats (Map: an ArrayMap or an ArrayMapF).
template <typename Map, typename T = typename Map::Scalar>
bool activate_width_of(Activation f, double leaky_slope, Map z, int width) {
  if (!simd::runs_width(width)) return false;
  if (width == 8 ? activate_avx512(f, z.data(), z.size())
                 : activate_each<typename simd::Vectors<T>::Narrow>(f, z.data(), z.size()))
    return true;
  // The others: the same code at any width.
  if (f == Activation::leaky_relu) {
    z = (z > T(0)).select(z, static_cast<T>(leaky_slope) * z);
  } else if (f == Activation::softplus) {
    // log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|).
    z = z.max(T(0)) + (-z.abs()).exp().log1p();
  }
  return true;  // linear: nothing to do
}

template <typename Map>
bool log1p_exp_neg_abs_width_of(Map z, int width) {
  if (!simd::runs_width(width)) return false;
  if (width == 8)
    log1p_exp_neg_abs_avx512(z.data(), z.size());
  else
    log1p_exp_neg_abs_each<typename simd::Vectors<typename Map::Scalar>::Narrow>(z.data(),
                                                                                 z.size());
  return true;
}

template <typename ConstMap, typename Map, typename T = typename Map::Scalar>
bool multiply_by_derivative_width_of(Activation f, double leaky_slope, ConstMap a, Map g,
                                     int width) {
  if (!simd::runs_width(width)) return false;
  if (width == 8
          ? derivative_avx512(f, a.data(), g.data(), a.size())
          : derivative_each<typename simd::Vectors<T>::Narrow>(f, a.data(), g.data(), a.size()))
    return true;
  // The others: the same code at any width.
  if (f == Activation::leaky_relu) {
    g = (a > T(0)).select(g, static_cast<T>(leaky_slope) * g);
  } else if (f == Activation::elu) {
    g = (a > T(0)).select(g, g * (a + T(1)));
  } else if (f == Activation::softplus) {
    // f'(z) = sigmoid(z) = 1 - e^-f(z).
    g *= -(-a).expm1();
  }
  return true;  // linear: f' = 1
}

}  // namespace

bool activate_width(Activation f, double leaky_slope, ArrayMap z, int width) {
  return activate_width_of(f, leaky_slope, z, width);
}
bool activate_width(Activation f, double leaky_slope, ArrayMapF z, int width) {
  return activate_width_of(f, leaky_slope, z, width);
}

void activate(Activation f, double leaky_slope, ArrayMap z) {
  activate_width(f, leaky_slope, z, simd::widest());
}

bool log1p_exp_neg_abs_width(ArrayMap z, int width) {
  return log1p_exp_neg_abs_width_of(z, width);
}
bool log1p_exp_neg_abs_width(ArrayMapF z, int width) {
  return log1p_exp_neg_abs_width_of(z, width);
}

void log1p_exp_neg_abs(ArrayMap z) {
  log1p_exp_neg_abs_width(z, simd::widest());
}

bool multiply_by_derivative_width(Activation f, double leaky_slope, ConstArrayMap a, ArrayMap g,
                                  int width) {
  return multiply_by_derivative_width_of(f, leaky_slope, a, g, width);
}
bool multiply_by_derivative_width(Activation f, double leaky_slope, ConstArrayMapF a, ArrayMapF g,
                                  int width) {
  return multiply_by_derivative_width_of(f, leaky_slope, a, g, width);
}

void multiply_by_derivative(Activation f, double leaky_slope, ConstArrayMap a, ArrayMap g) {
  multiply_by_derivative_width(f, leaky_slope, a, g, simd::widest());
}

}  // namespace nn
