#include "nn/optimizer.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "nn/vector_math.h"

namespace nn {
namespace {

// theta <- theta - lr g over n lane elements, V a vector of one or two of them (the rates
// repeated): the same operation on every number at either width, so the same bits.
template <typename V, typename T = simd::ElementOf<V>>
[[gnu::always_inline]] inline Eigen::Index sgd(T* theta, const T* g, const LanesOf<T>& rate,
                                               Eigen::Index n) {
  constexpr int kLanes = kLanesOf<T>;
  constexpr Eigen::Index kWidth = sizeof(V) / sizeof(T);
  V r;
  for (Eigen::Index i = 0; i < kWidth; ++i) r[i] = rate[i % kLanes];
  Eigen::Index i = 0;
  for (; i + kWidth <= n * kLanes; i += kWidth) {
    V& t = *reinterpret_cast<V*>(theta + i);
    t = t - r * *reinterpret_cast<const V*>(g + i);
  }
  return i / kLanes;
}

#if NNSWEEP_SIMD_WIDE
__attribute__((target("avx512f,fma"))) Eigen::Index sgd_avx512(double* theta, const double* g,
                                                               const Lanes& rate, Eigen::Index n) {
  return sgd<simd::Vec8>(theta, g, rate, n);
}
__attribute__((target("avx512f,fma"))) Eigen::Index sgd_avx512(float* theta, const float* g,
                                                               const LanesOf<float>& rate,
                                                               Eigen::Index n) {
  return sgd<simd::Vec16f>(theta, g, rate, n);
}
#endif

// Eight numbers at a time where the CPU has AVX-512, the rest (or all) four at a time (sixteen
// and eight floats).
template <typename T>
void sgd_step(LaneMatrixOf<T>& params, const LaneMatrixOf<T>& grad, const LanesOf<T>& rate) {
  constexpr int kLanes = kLanesOf<T>;
  const Eigen::Index n = params.cols();
  Eigen::Index done = 0;
#if NNSWEEP_SIMD_WIDE
  if (simd::has_avx512()) done = sgd_avx512(params.data(), grad.data(), rate, n);
#endif
  sgd<typename simd::Vectors<T>::Narrow>(params.data() + kLanes * done, grad.data() + kLanes * done,
                                         rate, n - done);
}

#if NNSWEEP_SIMD_WIDE
// The intrinsics of Adam's update at one register width, of doubles or of floats: the update
// below is written once, and the same instructions in the same order serve both types.
template <typename T>
struct Avx2;
template <>
struct Avx2<double> {
  using R = __m256d;
  static R load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, R v) { _mm256_storeu_pd(p, v); }
  static R add(R a, R b) { return _mm256_add_pd(a, b); }
  static R sub(R a, R b) { return _mm256_sub_pd(a, b); }
  static R mul(R a, R b) { return _mm256_mul_pd(a, b); }
  static R div(R a, R b) { return _mm256_div_pd(a, b); }
  static R sqrt(R a) { return _mm256_sqrt_pd(a); }
  static R fmadd(R a, R b, R c) { return _mm256_fmadd_pd(a, b, c); }
};
template <>
struct Avx2<float> {
  using R = __m256;
  static R load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, R v) { _mm256_storeu_ps(p, v); }
  static R add(R a, R b) { return _mm256_add_ps(a, b); }
  static R sub(R a, R b) { return _mm256_sub_ps(a, b); }
  static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  static R div(R a, R b) { return _mm256_div_ps(a, b); }
  static R sqrt(R a) { return _mm256_sqrt_ps(a); }
  static R fmadd(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
};

#define NNSWEEP_AVX512 __attribute__((target("avx512f,fma"), always_inline))
template <typename T>
struct Avx512;
template <>
struct Avx512<double> {
  using R = __m512d;
  NNSWEEP_AVX512 static R load(const double* p) { return _mm512_loadu_pd(p); }
  NNSWEEP_AVX512 static void store(double* p, R v) { _mm512_storeu_pd(p, v); }
  NNSWEEP_AVX512 static R add(R a, R b) { return _mm512_add_pd(a, b); }
  NNSWEEP_AVX512 static R sub(R a, R b) { return _mm512_sub_pd(a, b); }
  NNSWEEP_AVX512 static R mul(R a, R b) { return _mm512_mul_pd(a, b); }
  NNSWEEP_AVX512 static R div(R a, R b) { return _mm512_div_pd(a, b); }
  NNSWEEP_AVX512 static R sqrt(R a) { return _mm512_maskz_sqrt_pd(0xff, a); }
  NNSWEEP_AVX512 static R fmadd(R a, R b, R c) { return _mm512_fmadd_pd(a, b, c); }
};
template <>
struct Avx512<float> {
  using R = __m512;
  NNSWEEP_AVX512 static R load(const float* p) { return _mm512_loadu_ps(p); }
  NNSWEEP_AVX512 static void store(float* p, R v) { _mm512_storeu_ps(p, v); }
  NNSWEEP_AVX512 static R add(R a, R b) { return _mm512_add_ps(a, b); }
  NNSWEEP_AVX512 static R sub(R a, R b) { return _mm512_sub_ps(a, b); }
  NNSWEEP_AVX512 static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  NNSWEEP_AVX512 static R div(R a, R b) { return _mm512_div_ps(a, b); }
  NNSWEEP_AVX512 static R sqrt(R a) { return _mm512_maskz_sqrt_ps(0xffff, a); }
  NNSWEEP_AVX512 static R fmadd(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
};
#undef NNSWEEP_AVX512

// Adam's constants for registers of kWidth numbers: the rate, beta1, beta2, epsilon and the two
// bias corrections (k's lane elements, repeated), then 1 - beta1 and 1 - beta2.
template <int kWidth, typename T>
struct AdamConstants {
  alignas(64) T c[8][kWidth];
  explicit AdamConstants(const std::array<LanesOf<T>, 6>& k) {
    for (std::size_t j = 0; j < 6; ++j)
      for (int i = 0; i < kWidth; ++i) c[j][i] = k[j][i % kLanesOf<T>];
    for (int i = 0; i < kWidth; ++i) c[6][i] = T(1) - c[1][i], c[7][i] = T(1) - c[2][i];
  }
};

// Adam's update (see step()) over n lane elements, two at a time, on CPUs with AVX-512: the
// operations the build makes of step()'s Eigen expression, in its order and with its two fused
// multiply-adds ((1 - b1) g + the rounded b1 m; g^2 (1 - b2) + the rounded b2 s), so the same
// bits as one at a time (AdamAvx2). Returns the lane elements done (all but a last odd one).
template <typename T>
__attribute__((target("avx512f,fma"))) Eigen::Index adam_avx512(T* theta, T* m, T* s, const T* g,
                                                                const std::array<LanesOf<T>, 6>& k,
                                                                Eigen::Index n) {
  using I = Avx512<T>;
  constexpr int kWidth = sizeof(typename I::R) / sizeof(T);
  const AdamConstants<kWidth, T> constants(k);
  typename I::R c[8];
  for (int j = 0; j < 8; ++j) c[j] = I::load(constants.c[j]);
  Eigen::Index i = 0;
  for (; i + kWidth <= n * kLanesOf<T>; i += kWidth) {
    const auto gi = I::load(g + i);
    const auto mi = I::fmadd(c[6], gi, I::mul(c[1], I::load(m + i)));
    const auto si = I::fmadd(I::mul(gi, gi), c[7], I::mul(c[2], I::load(s + i)));
    I::store(m + i, mi);
    I::store(s + i, si);
    const auto step = I::mul(I::mul(c[4], mi), c[0]);
    const auto root = I::sqrt(I::mul(c[5], si));
    I::store(theta + i, I::sub(I::load(theta + i), I::div(step, I::add(root, c[3]))));
  }
  return i / kLanesOf<T>;
}

// One lane element of the same update (four doubles or eight floats), with the same explicit
// fused multiply-adds: the bits of both widths, and of a pack of mixed kinds (step_mixed), do not
// hang on which multiply-adds a compiler fuses (GCC fuses only some when it optimises less than
// -O2). Stores m and s; returns theta's new value.
template <typename T>
struct AdamAvx2 {
  using I = Avx2<T>;
  typename I::R c[8];
  explicit AdamAvx2(const std::array<LanesOf<T>, 6>& k) {
    const AdamConstants<kLanesOf<T>, T> constants(k);
    for (int j = 0; j < 8; ++j) c[j] = I::load(constants.c[j]);
  }
  [[gnu::always_inline]] typename I::R operator()(const T* theta, T* m, T* s, const T* g) const {
    const auto gi = I::load(g);
    const auto mi = I::fmadd(c[6], gi, I::mul(c[1], I::load(m)));
    const auto si = I::fmadd(I::mul(gi, gi), c[7], I::mul(c[2], I::load(s)));
    I::store(m, mi);
    I::store(s, si);
    const auto step = I::mul(I::mul(c[4], mi), c[0]);
    const auto root = I::sqrt(I::mul(c[5], si));
    return I::sub(I::load(theta), I::div(step, I::add(root, c[3])));
  }
};

template <typename T>
void adam_avx2(T* theta, T* m, T* s, const T* g, const std::array<LanesOf<T>, 6>& k,
               Eigen::Index n) {
  const AdamAvx2<T> adam(k);
  for (Eigen::Index i = 0; i < n * kLanesOf<T>; i += kLanesOf<T>)
    AdamAvx2<T>::I::store(theta + i, adam(theta + i, m + i, s + i, g + i));
}
#endif

// One lane element's update, every lane, by each kind: the same code serves a pack of one kind
// and a pack of mixed kinds (OptimizerState::step_mixed), so both compile the same expressions.
template <typename T>
using LaneRef = Eigen::Map<LanesOf<T>>;

// v <- mu v + g;  theta - lr v
template <typename T>
[[gnu::always_inline]] inline LanesOf<T> momentum_update(const LanesOf<T>& theta,
                                                         const LanesOf<T>& g, LaneRef<T> v,
                                                         const LanesOf<T>& mu,
                                                         const LanesOf<T>& lr) {
  v = mu * v + g;
  return theta - lr * v;
}

// Adam's per-step constants: its betas, epsilon and bias corrections 1 / (1 - beta^t).
template <typename T>
struct AdamStep {
  const LanesOf<T>&beta1, &beta2, &epsilon;
  LanesOf<T> m_scale, s_scale;
};

// m <- b1 m + (1 - b1) g;  s <- b2 s + (1 - b2) g^2
// theta - lr (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
template <typename T>
[[gnu::always_inline]] inline LanesOf<T> adam_update(const LanesOf<T>& theta, const LanesOf<T>& g,
                                                     LaneRef<T> m, LaneRef<T> s,
                                                     const AdamStep<T>& a, const LanesOf<T>& lr) {
  m = a.beta1 * m + (T(1) - a.beta1) * g;
  s = a.beta2 * s + (T(1) - a.beta2) * g.square();
  return theta - lr * (a.m_scale * m) / ((a.s_scale * s).sqrt() + a.epsilon);
}

// A lane element as a GCC/Clang vector, to blend lanes in registers (Eigen's select on a mask
// of bools goes through memory one lane at a time).
template <typename T>
using VecOf = typename simd::Vectors<T>::Narrow;
template <typename T>
[[gnu::always_inline]] inline VecOf<T> vec(const LanesOf<T>& v) {
  VecOf<T> out;
  std::memcpy(&out, v.data(), sizeof out);
  return out;
}

template <typename T>
LaneRef<T> column(LaneMatrixOf<T>& m, Eigen::Index e) {
  return LaneRef<T>(m.data() + kLanesOf<T> * e);
}

}  // namespace

template <typename T>
OptimizerStateOf<T>::OptimizerStateOf(const std::array<const TrainConfig*, kLanes>& configs,
                                      Eigen::Index parameter_count) {
  for (int l = 0; l < kLanes; ++l) {
    kind_[l] = configs[l]->optimizer;
    mixed_ = mixed_ || kind_[l] != kind_[0];
    for (Optimizer k : {Optimizer::sgd, Optimizer::momentum, Optimizer::adam})
      is_[static_cast<int>(k)][l] = kind_[l] == k ? -1 : 0;
    momentum_[l] = static_cast<T>(configs[l]->momentum);
    beta1_[l] = static_cast<T>(configs[l]->beta1);
    beta2_[l] = static_cast<T>(configs[l]->beta2);
    epsilon_[l] = static_cast<T>(configs[l]->epsilon);
  }
  if (uses(Optimizer::momentum)) velocity_.setZero(kLanes, parameter_count);
  if (uses(Optimizer::adam)) first_.setZero(kLanes, parameter_count);
  if (uses(Optimizer::adam)) second_.setZero(kLanes, parameter_count);
}

template <typename T>
bool OptimizerStateOf<T>::uses(Optimizer kind) const {
  return std::find(kind_.begin(), kind_.end(), kind) != kind_.end();
}

template <typename T>
void OptimizerStateOf<T>::advance_adam() {
  beta1_power_ *= beta1_;
  beta2_power_ *= beta2_;
}

template <typename T>
void OptimizerStateOf<T>::step(LaneMatrix& params, const LaneMatrix& grad, const Lanes& rate) {
  if (mixed_) return step_mixed(params, grad, rate);
  const Eigen::Index n = params.cols();
  switch (kind_[0]) {
    case Optimizer::sgd:  // theta <- theta - lr g
      sgd_step(params, grad, rate);
      return;
    case Optimizer::momentum:
      for (Eigen::Index e = 0; e < n; ++e)
        params.col(e) =
            momentum_update<T>(params.col(e), grad.col(e), column(velocity_, e), momentum_, rate);
      return;
    case Optimizer::adam: {
      // m <- b1 m + (1 - b1) g;  s <- b2 s + (1 - b2) g^2
      // theta <- theta - lr (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
      advance_adam();
      const Lanes m_scale = T(1) / (T(1) - beta1_power_), s_scale = T(1) / (T(1) - beta2_power_);
#if NNSWEEP_SIMD_WIDE
      const std::array<Lanes, 6> k = {rate, beta1_, beta2_, epsilon_, m_scale, s_scale};
      const Eigen::Index e = simd::has_avx512() ? adam_avx512(params.data(), first_.data(),
                                                              second_.data(), grad.data(), k, n)
                                                : 0;
      adam_avx2(params.data() + kLanes * e, first_.data() + kLanes * e, second_.data() + kLanes * e,
                grad.data() + kLanes * e, k, n - e);
      return;
#endif
      for (Eigen::Index e = 0; e < n; ++e) {
        first_.col(e) = beta1_ * first_.col(e) + (T(1) - beta1_) * grad.col(e);
        second_.col(e) = beta2_ * second_.col(e) + (T(1) - beta2_) * grad.col(e).square();
        params.col(e) -=
            rate * (m_scale * first_.col(e)) / ((s_scale * second_.col(e)).sqrt() + epsilon_);
      }
      return;
    }
  }
}

// Every kind present computed for every lane, one pass over the parameters, each lane keeping
// its own kind's result. The kinds of other lanes cost arithmetic only: a lane element is one
// vector whichever lanes need it.
template <typename T>
void OptimizerStateOf<T>::step_mixed(LaneMatrix& params, const LaneMatrix& grad,
                                     const Lanes& rate) {
  using Vec = VecOf<T>;
  const LaneMask sgd = is_[static_cast<int>(Optimizer::sgd)];
  const LaneMask momentum = is_[static_cast<int>(Optimizer::momentum)];
  const LaneMask adam = is_[static_cast<int>(Optimizer::adam)];
  const bool any_sgd = uses(Optimizer::sgd), any_momentum = uses(Optimizer::momentum),
             any_adam = uses(Optimizer::adam);
  if (any_adam) advance_adam();
  const AdamStep<T> a{beta1_, beta2_, epsilon_, T(1) / (T(1) - beta1_power_),
                      T(1) / (T(1) - beta2_power_)};
#if NNSWEEP_SIMD_WIDE
  const AdamAvx2<T> adam_avx2_step({rate, beta1_, beta2_, epsilon_, a.m_scale, a.s_scale});
#endif
  const Lanes lr = rate;  // a copy the stores below cannot change: kept in a register
  Vec r;
  for (int l = 0; l < kLanes; ++l) r[l] = lr[l];
  for (Eigen::Index e = 0; e < params.cols(); ++e) {
    T* p = params.data() + kLanes * e;
    const T* x = grad.data() + kLanes * e;
    const Vec t = *reinterpret_cast<const Vec*>(p);
    Vec next = t;
    // sgd's step as sgd() writes it (GCC/Clang vectors, one expression): compilers that fuse a
    // multiply and an add only within one expression (Clang's default) fuse both alike.
    if (any_sgd) next = sgd ? t - r * *reinterpret_cast<const Vec*>(x) : next;
    const Lanes theta = Eigen::Map<const Lanes>(p), g = Eigen::Map<const Lanes>(x);
    if (any_momentum)
      next = momentum ? vec<T>(momentum_update<T>(theta, g, column(velocity_, e), momentum_, lr))
                      : next;
    if (any_adam) {
#if NNSWEEP_SIMD_WIDE  // as a pack of Adam alone computes it
      const auto updated =
          adam_avx2_step(p, first_.data() + kLanes * e, second_.data() + kLanes * e, x);
      Vec own;
      std::memcpy(&own, &updated, sizeof own);
      next = adam ? own : next;
#else
      next = adam ? vec<T>(adam_update<T>(theta, g, column(first_, e), column(second_, e), a, lr))
                  : next;
#endif
    }
    *reinterpret_cast<Vec*>(p) = next;
  }
}

template class OptimizerStateOf<double>;
template class OptimizerStateOf<float>;

}  // namespace nn
