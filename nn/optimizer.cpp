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
template <typename V>
[[gnu::always_inline]] inline Eigen::Index sgd(double* theta, const double* g, const Lanes& rate,
                                               Eigen::Index n) {
  constexpr Eigen::Index kWidth = sizeof(V) / sizeof(double);
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
#endif

// Eight numbers at a time where the CPU has AVX-512, the rest (or all) four at a time.
void sgd_step(LaneMatrix& params, const LaneMatrix& grad, const Lanes& rate) {
  const Eigen::Index n = params.cols();
  Eigen::Index done = 0;
#if NNSWEEP_SIMD_WIDE
  if (simd::has_avx512()) done = sgd_avx512(params.data(), grad.data(), rate, n);
#endif
  sgd<simd::Vec4>(params.data() + kLanes * done, grad.data() + kLanes * done, rate, n - done);
}

#if NNSWEEP_SIMD_WIDE
// Adam's update (see step()) over n lane elements, two at a time, on CPUs with AVX-512: the
// operations the build makes of step()'s Eigen expression, in its order and with its two fused
// multiply-adds ((1 - b1) g + the rounded b1 m; g^2 (1 - b2) + the rounded b2 s), so the same
// bits as four at a time. k: the rate, beta1, beta2, epsilon and the two bias corrections.
// Returns the lane elements done (all but a last odd one).
__attribute__((target("avx512f,fma"))) Eigen::Index adam_avx512(double* theta, double* m, double* s,
                                                                const double* g,
                                                                const std::array<Lanes, 6>& k,
                                                                Eigen::Index n) {
  __m512d c[6];
  for (std::size_t j = 0; j < 6; ++j) {
    alignas(64) double twice[8];
    for (int i = 0; i < 8; ++i) twice[i] = k[j][i % kLanes];
    c[j] = _mm512_load_pd(twice);
  }
  const __m512d one = _mm512_set1_pd(1.0), b1 = c[1], b2 = c[2];
  const __m512d keep1 = _mm512_sub_pd(one, b1), keep2 = _mm512_sub_pd(one, b2);
  Eigen::Index i = 0;
  for (; i + 8 <= n * kLanes; i += 8) {
    const __m512d gi = _mm512_loadu_pd(g + i);
    const __m512d mi = _mm512_fmadd_pd(keep1, gi, _mm512_mul_pd(b1, _mm512_loadu_pd(m + i)));
    const __m512d si =
        _mm512_fmadd_pd(_mm512_mul_pd(gi, gi), keep2, _mm512_mul_pd(b2, _mm512_loadu_pd(s + i)));
    _mm512_storeu_pd(m + i, mi);
    _mm512_storeu_pd(s + i, si);
    const __m512d step = _mm512_mul_pd(_mm512_mul_pd(c[4], mi), c[0]);
    const __m512d root = _mm512_maskz_sqrt_pd(0xff, _mm512_mul_pd(c[5], si));
    _mm512_storeu_pd(theta + i, _mm512_sub_pd(_mm512_loadu_pd(theta + i),
                                              _mm512_div_pd(step, _mm512_add_pd(root, c[3]))));
  }
  return i / kLanes;
}

// One lane element of the same update four at a time, with the same explicit fused
// multiply-adds: the bits of both widths, and of a pack of mixed kinds (step_mixed), do not hang
// on which multiply-adds a compiler fuses (GCC fuses only some when it optimises less than -O2).
// Stores m and s; returns theta's new value.
struct AdamAvx2 {
  __m256d c[6], b1, b2, keep1, keep2;
  explicit AdamAvx2(const std::array<Lanes, 6>& k) {
    for (std::size_t j = 0; j < 6; ++j) c[j] = _mm256_loadu_pd(k[j].data());
    const __m256d one = _mm256_set1_pd(1.0);
    b1 = c[1], b2 = c[2];
    keep1 = _mm256_sub_pd(one, b1), keep2 = _mm256_sub_pd(one, b2);
  }
  [[gnu::always_inline]] __m256d operator()(const double* theta, double* m, double* s,
                                            const double* g) const {
    const __m256d gi = _mm256_loadu_pd(g);
    const __m256d mi = _mm256_fmadd_pd(keep1, gi, _mm256_mul_pd(b1, _mm256_loadu_pd(m)));
    const __m256d si =
        _mm256_fmadd_pd(_mm256_mul_pd(gi, gi), keep2, _mm256_mul_pd(b2, _mm256_loadu_pd(s)));
    _mm256_storeu_pd(m, mi);
    _mm256_storeu_pd(s, si);
    const __m256d step = _mm256_mul_pd(_mm256_mul_pd(c[4], mi), c[0]);
    const __m256d root = _mm256_sqrt_pd(_mm256_mul_pd(c[5], si));
    return _mm256_sub_pd(_mm256_loadu_pd(theta), _mm256_div_pd(step, _mm256_add_pd(root, c[3])));
  }
};

void adam_avx2(double* theta, double* m, double* s, const double* g, const std::array<Lanes, 6>& k,
               Eigen::Index n) {
  const AdamAvx2 adam(k);
  for (Eigen::Index i = 0; i < n * kLanes; i += kLanes)
    _mm256_storeu_pd(theta + i, adam(theta + i, m + i, s + i, g + i));
}
#endif

// One lane element's update, every lane, by each kind: the same code serves a pack of one kind
// and a pack of mixed kinds (OptimizerState::step_mixed), so both compile the same expressions.
using LaneRef = Eigen::Map<Lanes>;

// v <- mu v + g;  theta - lr v
[[gnu::always_inline]] inline Lanes momentum_update(const Lanes& theta, const Lanes& g, LaneRef v,
                                                    const Lanes& mu, const Lanes& lr) {
  v = mu * v + g;
  return theta - lr * v;
}

// Adam's per-step constants: its betas, epsilon and bias corrections 1 / (1 - beta^t).
struct AdamStep {
  const Lanes &beta1, &beta2, &epsilon;
  Lanes m_scale, s_scale;
};

// m <- b1 m + (1 - b1) g;  s <- b2 s + (1 - b2) g^2
// theta - lr (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
[[gnu::always_inline]] inline Lanes adam_update(const Lanes& theta, const Lanes& g, LaneRef m,
                                                LaneRef s, const AdamStep& a, const Lanes& lr) {
  m = a.beta1 * m + (1.0 - a.beta1) * g;
  s = a.beta2 * s + (1.0 - a.beta2) * g.square();
  return theta - lr * (a.m_scale * m) / ((a.s_scale * s).sqrt() + a.epsilon);
}

// A lane element as a GCC/Clang vector, to blend lanes in registers (Eigen's select on a mask
// of bools goes through memory one lane at a time).
[[gnu::always_inline]] inline simd::Vec4 vec(const Lanes& v) {
  simd::Vec4 out;
  std::memcpy(&out, v.data(), sizeof out);
  return out;
}

LaneRef column(LaneMatrix& m, Eigen::Index e) {
  return LaneRef(m.data() + kLanes * e);
}

}  // namespace

OptimizerState::OptimizerState(const std::array<const TrainConfig*, kLanes>& configs,
                               Eigen::Index parameter_count) {
  for (int l = 0; l < kLanes; ++l) {
    kind_[l] = configs[l]->optimizer;
    mixed_ = mixed_ || kind_[l] != kind_[0];
    for (Optimizer k : {Optimizer::sgd, Optimizer::momentum, Optimizer::adam})
      is_[static_cast<int>(k)][l] = kind_[l] == k ? -1 : 0;
    momentum_[l] = configs[l]->momentum;
    beta1_[l] = configs[l]->beta1;
    beta2_[l] = configs[l]->beta2;
    epsilon_[l] = configs[l]->epsilon;
  }
  if (uses(Optimizer::momentum)) velocity_.setZero(kLanes, parameter_count);
  if (uses(Optimizer::adam)) first_.setZero(kLanes, parameter_count);
  if (uses(Optimizer::adam)) second_.setZero(kLanes, parameter_count);
}

bool OptimizerState::uses(Optimizer kind) const {
  return std::find(kind_.begin(), kind_.end(), kind) != kind_.end();
}

void OptimizerState::advance_adam() {
  beta1_power_ *= beta1_;
  beta2_power_ *= beta2_;
}

void OptimizerState::step(LaneMatrix& params, const LaneMatrix& grad, const Lanes& rate) {
  if (mixed_) return step_mixed(params, grad, rate);
  const Eigen::Index n = params.cols();
  switch (kind_[0]) {
    case Optimizer::sgd:  // theta <- theta - lr g
      sgd_step(params, grad, rate);
      return;
    case Optimizer::momentum:
      for (Eigen::Index e = 0; e < n; ++e)
        params.col(e) =
            momentum_update(params.col(e), grad.col(e), column(velocity_, e), momentum_, rate);
      return;
    case Optimizer::adam: {
      // m <- b1 m + (1 - b1) g;  s <- b2 s + (1 - b2) g^2
      // theta <- theta - lr (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
      advance_adam();
      const Lanes m_scale = 1.0 / (1.0 - beta1_power_), s_scale = 1.0 / (1.0 - beta2_power_);
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
        first_.col(e) = beta1_ * first_.col(e) + (1.0 - beta1_) * grad.col(e);
        second_.col(e) = beta2_ * second_.col(e) + (1.0 - beta2_) * grad.col(e).square();
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
void OptimizerState::step_mixed(LaneMatrix& params, const LaneMatrix& grad, const Lanes& rate) {
  const LaneMask sgd = is_[static_cast<int>(Optimizer::sgd)];
  const LaneMask momentum = is_[static_cast<int>(Optimizer::momentum)];
  const LaneMask adam = is_[static_cast<int>(Optimizer::adam)];
  const bool any_sgd = uses(Optimizer::sgd), any_momentum = uses(Optimizer::momentum),
             any_adam = uses(Optimizer::adam);
  if (any_adam) advance_adam();
  const AdamStep a{beta1_, beta2_, epsilon_, 1.0 / (1.0 - beta1_power_),
                   1.0 / (1.0 - beta2_power_)};
#if NNSWEEP_SIMD_WIDE
  const AdamAvx2 adam_avx2_step({rate, beta1_, beta2_, epsilon_, a.m_scale, a.s_scale});
#endif
  const Lanes lr = rate;  // a copy the stores below cannot change: kept in a register
  simd::Vec4 r;
  for (int l = 0; l < kLanes; ++l) r[l] = lr[l];
  for (Eigen::Index e = 0; e < params.cols(); ++e) {
    double* p = params.data() + kLanes * e;
    const double* x = grad.data() + kLanes * e;
    const simd::Vec4 t = *reinterpret_cast<const simd::Vec4*>(p);
    simd::Vec4 next = t;
    // sgd's step as sgd() writes it (GCC/Clang vectors, one expression): compilers that fuse a
    // multiply and an add only within one expression (Clang's default) fuse both alike.
    if (any_sgd) next = sgd ? t - r * *reinterpret_cast<const simd::Vec4*>(x) : next;
    const Lanes theta = Eigen::Map<const Lanes>(p), g = Eigen::Map<const Lanes>(x);
    if (any_momentum)
      next = momentum ? vec(momentum_update(theta, g, column(velocity_, e), momentum_, lr)) : next;
    if (any_adam) {
#if NNSWEEP_SIMD_WIDE  // as a pack of Adam alone computes it
      const __m256d updated =
          adam_avx2_step(p, first_.data() + kLanes * e, second_.data() + kLanes * e, x);
      simd::Vec4 own;
      std::memcpy(&own, &updated, sizeof own);
      next = adam ? own : next;
#else
      next = adam ? vec(adam_update(theta, g, column(first_, e), column(second_, e), a, lr)) : next;
#endif
    }
    *reinterpret_cast<simd::Vec4*>(p) = next;
  }
}

}  // namespace nn
