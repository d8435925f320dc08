#include "nn/optimizer.h"

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

}  // namespace

template <typename T>
OptimizerStateOf<T>::OptimizerStateOf(const std::array<const TrainConfig*, kLanes>& configs,
                                      Eigen::Index parameter_count)
    : kind_(configs[0]->optimizer) {
  for (int l = 0; l < kLanes; ++l) {
    momentum_[l] = static_cast<T>(configs[l]->momentum);
    beta1_[l] = static_cast<T>(configs[l]->beta1);
    beta2_[l] = static_cast<T>(configs[l]->beta2);
    epsilon_[l] = static_cast<T>(configs[l]->epsilon);
  }
  if (kind_ != Optimizer::sgd) first_.setZero(kLanes, parameter_count);
  if (kind_ == Optimizer::adam) second_.setZero(kLanes, parameter_count);
}

template <typename T>
void OptimizerStateOf<T>::step(LaneMatrix& params, const LaneMatrix& grad, const Lanes& rate) {
  const Eigen::Index n = params.cols();
  switch (kind_) {
    case Optimizer::sgd:
      // theta <- theta - lr g
      sgd_step(params, grad, rate);
      return;
    case Optimizer::momentum:
      // v <- mu v + g;  theta <- theta - lr v
      for (Eigen::Index e = 0; e < n; ++e) {
        first_.col(e) = momentum_ * first_.col(e) + grad.col(e);
        params.col(e) -= rate * first_.col(e);
      }
      return;
    case Optimizer::adam: {
      // m <- b1 m + (1 - b1) g;  s <- b2 s + (1 - b2) g^2
      // theta <- theta - lr (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
      beta1_power_ *= beta1_;
      beta2_power_ *= beta2_;
      const Lanes m_scale = T(1) / (T(1) - beta1_power_), s_scale = T(1) / (T(1) - beta2_power_);
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

template class OptimizerStateOf<double>;
template class OptimizerStateOf<float>;

}  // namespace nn
