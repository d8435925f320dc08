#include "nn/lanes.h"

#include <cassert>
#include <cmath>
#include <cstdint>

#include "nn/activation.h"
#include "nn/vector_math.h"

namespace nn {
namespace {

// Lane element e of a LaneMatrix's data.
Eigen::Map<const Lanes> at(const double* p, Eigen::Index e) {
  return Eigen::Map<const Lanes>(p + kLanes * e);
}
Eigen::Map<Lanes> at(double* p, Eigen::Index e) {
  return Eigen::Map<Lanes>(p + kLanes * e);
}

// One lane element as a GCC/Clang vector: the accumulators of rows_block stay in registers,
// which Eigen's fixed-size arrays, kept in a local array, did not (they went through the stack
// on every step). aligned(8): loads and stores need no more than a double's alignment.
using Vec = double __attribute__((vector_size(kLanes * sizeof(double)), aligned(8)));
static_assert(sizeof(Vec) == sizeof(Lanes));

// Samples per step of the binary cross-entropy (see loss_sum).
constexpr Eigen::Index kLossBlock = 32;

// The four lanes of one number as the vector nn/vector_math.h computes on.
static_assert(kLanes == 4);
simd::Vec4& as_vec(Lanes& lanes) {
  return *reinterpret_cast<simd::Vec4*>(lanes.data());
}

// Lane element e of a LaneMatrix's data, as a vector. A reference, not a value: a function
// returning a 32-byte vector has another ABI with AVX than without, which GCC warns about.
const Vec& load(const double* p, Eigen::Index e) {
  return *reinterpret_cast<const Vec*>(p + kLanes * e);
}

// The one kernel of every product here, for R rows at once:
//   out[r * out_r] = init[r * init_r] (or 0) + sum over t < n of a[r * a_r + t * a_t] * x[t * x_t]
// with indices counted in lane elements, and x = 1 when kOnes. Summing over t in order, one
// accumulator per row: R independent chains keep the floating-point units busy, and the order
// of every sum is fixed by the shape alone.
template <int R, bool kOnes>
void rows_block(const double* a, Eigen::Index a_r, Eigen::Index a_t, const double* x,
                Eigen::Index x_t, Eigen::Index n, const double* init, Eigen::Index init_r,
                double* out, Eigen::Index out_r) {
  Vec acc[R];
  for (int r = 0; r < R; ++r) acc[r] = init ? load(init, r * init_r) : Vec{};
  for (Eigen::Index t = 0; t < n; ++t) {
    if constexpr (kOnes) {
      for (int r = 0; r < R; ++r) acc[r] += load(a, r * a_r + t * a_t);
    } else {
      const Vec xt = load(x, t * x_t);
      for (int r = 0; r < R; ++r) acc[r] += load(a, r * a_r + t * a_t) * xt;
    }
  }
  for (int r = 0; r < R; ++r) *reinterpret_cast<Vec*>(out + kLanes * r * out_r) = acc[r];
}

// rows_block over `rows` rows, eight at a time, then four, then one.
template <bool kOnes = false>
void rows(Eigen::Index rows, const double* a, Eigen::Index a_r, Eigen::Index a_t, const double* x,
          Eigen::Index x_t, Eigen::Index n, const double* init, Eigen::Index init_r, double* out,
          Eigen::Index out_r) {
  Eigen::Index r = 0;
  const auto block = [&]<int R>() {
    rows_block<R, kOnes>(a + kLanes * r * a_r, a_r, a_t, x, x_t, n,
                         init ? init + kLanes * r * init_r : nullptr, init_r,
                         out + kLanes * r * out_r, out_r);
    r += R;
  };
  while (r + 8 <= rows) block.template operator()<8>();
  while (r + 4 <= rows) block.template operator()<4>();
  while (r < rows) block.template operator()<1>();
}

// log sum_i e^z_i over n consecutive lane elements, shifted by their maximum.
Lanes log_sum_exp(const double* z, Eigen::Index n) {
  Lanes m = at(z, 0);
  for (Eigen::Index i = 1; i < n; ++i) m = m.max(at(z, i));
  Lanes sum = Lanes::Zero();
  for (Eigen::Index i = 0; i < n; ++i) sum += (at(z, i) - m).exp();
  return m + sum.log();
}

ArrayMap flat(LaneMatrix& m, Eigen::Index elements) {
  return {m.data(), kLanes * elements};
}

}  // namespace

LaneMatrix broadcast(const Eigen::MatrixXd& m) {
  LaneMatrix out(kLanes, m.size());
  for (Eigen::Index e = 0; e < m.size(); ++e) out.col(e).setConstant(m.data()[e]);
  return out;
}

LaneNet::LaneNet(int inputs, const std::vector<int>& hidden, int outputs, Activation activation,
                 double leaky_slope, Task task)
    : activation_(activation), leaky_slope_(leaky_slope), task_(task) {
  widths_.push_back(inputs);
  widths_.insert(widths_.end(), hidden.begin(), hidden.end());
  widths_.push_back(outputs);
  offsets_.push_back(0);
  for (int l = 0; l < layers(); ++l)
    offsets_.push_back(offsets_.back() + Eigen::Index{widths_[l + 1]} * (widths_[l] + 1));
}

LaneNet::Workspace LaneNet::make_workspace(Eigen::Index capacity) const {
  Workspace ws;
  ws.capacity = capacity;
  for (int l = 0; l < layers(); ++l) {
    ws.out.emplace_back(kLanes, widths_[l + 1] * capacity);
    ws.delta.emplace_back(kLanes, widths_[l + 1] * capacity);
  }
  return ws;
}

void LaneNet::forward(const LaneMatrix& params, const LaneMatrix& x, Eigen::Index b,
                      Workspace& ws) const {
  assert(b <= ws.capacity && x.cols() >= widths_.front() * b);
  for (int l = 0; l < layers(); ++l) {
    const Eigen::Index fan_in = widths_[l], fan_out = widths_[l + 1];
    const double* w = params.data() + kLanes * offsets_[l];
    const double* bias = w + kLanes * fan_in * fan_out;
    const double* in = l == 0 ? x.data() : ws.out[l - 1].data();
    double* out = ws.out[l].data();
    // out(i, j) = bias(i) + sum_k W(i, k) in(k, j)
    for (Eigen::Index j = 0; j < b; ++j)
      rows(fan_out, w, 1, fan_out, in + kLanes * j * fan_in, 1, fan_in, bias, 1,
           out + kLanes * j * fan_out, 1);
    if (l + 1 < layers()) activate(activation_, leaky_slope_, flat(ws.out[l], fan_out * b));
  }
}

Lanes LaneNet::loss_sum(const LaneMatrix& y, Eigen::Index b, const Workspace& ws) const {
  const Eigen::Index outputs = widths_.back();
  const double* z = ws.out.back().data();
  const double* t = y.data();
  Lanes sum = Lanes::Zero();
  switch (task_) {
    case Task::regression:  // mean squared error
      for (Eigen::Index e = 0; e < outputs * b; ++e) sum += (at(z, e) - at(t, e)).square();
      break;
    case Task::binary:
      // Binary cross-entropy on sigmoid(z), stable for any z: max(z, 0) - z y + log(1 + e^-|z|).
      // log of a number in (1, 2] is as exact as log1p there, and vectorised. A block of
      // samples at a time, one step after the other: short loops of independent iterations,
      // which the core overlaps (one loop doing all of it waited on each sample's exp and log).
      for (Eigen::Index j0 = 0; j0 < b; j0 += kLossBlock) {
        const Eigen::Index m = std::min(kLossBlock, b - j0);
        alignas(32) double e[kLossBlock * kLanes];
        for (Eigen::Index k = 0; k < m; ++k) {
          at(e, k) = -at(z, j0 + k).abs();
          simd::exp_in_place(*reinterpret_cast<simd::Vec4*>(e + kLanes * k));
        }
        Eigen::Map<Eigen::ArrayXd> logs(e, kLanes * m);
        logs = (1.0 + logs).log();
        for (Eigen::Index k = 0; k < m; ++k) {
          const Lanes zj = at(z, j0 + k), tj = at(t, j0 + k);
          sum += zj.max(0.0) - zj * tj + at(e, k);
        }
      }
      break;
    case Task::multiclass:
      // Cross-entropy on softmax(z) through log-sum-exp.
      for (Eigen::Index j = 0; j < b; ++j) {
        const Eigen::Index c = j * outputs;
        const Lanes lse = log_sum_exp(z + kLanes * c, outputs);
        for (Eigen::Index i = 0; i < outputs; ++i) sum -= at(z, c + i) * at(t, c + i);
        sum += lse;
      }
      break;
  }
  return sum;
}

void LaneNet::loss_gradient(const LaneMatrix& y, Eigen::Index b, Workspace& ws) const {
  const Eigen::Index outputs = widths_.back();
  const double* z = ws.out.back().data();
  double* grad = ws.delta.back().data();
  const double* t = y.data();
  const double inv_b = 1.0 / static_cast<double>(b);
  switch (task_) {
    case Task::regression:  // d/dz of mean (z - y)^2 is 2 (z - y) / b
      for (Eigen::Index e = 0; e < outputs * b; ++e)
        at(grad, e) = (2.0 * inv_b) * (at(z, e) - at(t, e));
      break;
    case Task::binary:  // sigmoid(z) - y
      for (Eigen::Index j = 0; j < b; ++j) {
        Lanes e = -at(z, j);
        simd::exp_in_place(as_vec(e));
        at(grad, j) = inv_b * (1.0 / (1.0 + e) - at(t, j));
      }
      break;
    case Task::multiclass:  // softmax(z) - y
      for (Eigen::Index j = 0; j < b; ++j) {
        const Eigen::Index c = j * outputs;
        const Lanes lse = log_sum_exp(z + kLanes * c, outputs);
        for (Eigen::Index i = 0; i < outputs; ++i)
          at(grad, c + i) = inv_b * ((at(z, c + i) - lse).exp() - at(t, c + i));
      }
      break;
  }
}

void LaneNet::backward(const LaneMatrix& params, const LaneMatrix& x, Eigen::Index b, Workspace& ws,
                       LaneMatrix& grad) const {
  for (int l = layers() - 1; l >= 0; --l) {
    const Eigen::Index fan_in = widths_[l], fan_out = widths_[l + 1];
    const double* delta = ws.delta[l].data();  // (fan_out x b)
    const double* in = l == 0 ? x.data() : ws.out[l - 1].data();
    double* grad_w = grad.data() + kLanes * offsets_[l];
    double* grad_b = grad_w + kLanes * fan_in * fan_out;
    // dW(i, k) = sum_j delta(i, j) in(k, j);  db(i) = sum_j delta(i, j)
    for (Eigen::Index k = 0; k < fan_in; ++k)
      rows(fan_out, delta, 1, fan_out, in + kLanes * k, fan_in, b, nullptr, 0,
           grad_w + kLanes * k * fan_out, 1);
    rows<true>(fan_out, delta, 1, fan_out, nullptr, 0, b, nullptr, 0, grad_b, 1);
    if (l > 0) {
      // below(k, j) = sum_i W(i, k) delta(i, j), times f' at the layer below's output.
      const double* w = params.data() + kLanes * offsets_[l];
      double* below = ws.delta[l - 1].data();
      for (Eigen::Index j = 0; j < b; ++j)
        rows(fan_in, w, fan_out, 1, delta + kLanes * j * fan_out, 1, fan_out, nullptr, 0,
             below + kLanes * j * fan_in, 1);
      multiply_by_derivative(activation_, leaky_slope_,
                             ConstArrayMap(ws.out[l - 1].data(), kLanes * fan_in * b),
                             flat(ws.delta[l - 1], fan_in * b));
    }
  }
}

void LaneNet::add_penalty(const LaneMatrix& params, Regularization reg, const Lanes& rate,
                          LaneMatrix& grad) const {
  if (reg == Regularization::none) return;
  for (int l = 0; l < layers(); ++l)
    for (Eigen::Index e = offsets_[l]; e < offsets_[l] + Eigen::Index{widths_[l]} * widths_[l + 1];
         ++e) {
      if (reg == Regularization::l1)
        grad.col(e) += rate * params.col(e).sign();
      else
        grad.col(e) += rate * params.col(e);
    }
}

Lanes LaneNet::correct(const LaneMatrix& y, Eigen::Index b, const Workspace& ws) const {
  const Eigen::Index outputs = widths_.back();
  const double* z = ws.out.back().data();
  const double* t = y.data();
  const Lanes one = Lanes::Ones(), zero = Lanes::Zero();
  if (task_ == Task::binary) {
    // Comparisons of GCC/Clang vectors give masks of -1 (true) and 0: subtracting the mask of
    // the right answers counts them, a few instructions a sample.
    using Count = std::int64_t __attribute__((vector_size(kLanes * sizeof(std::int64_t))));
    Count right = {};
    for (Eigen::Index j = 0; j < b; ++j) right -= (load(z, j) > 0.0) == (load(t, j) > 0.5);
    Lanes count;
    for (int l = 0; l < kLanes; ++l) count[l] = static_cast<double>(right[l]);
    return count;
  }
  Lanes count = zero;
  for (Eigen::Index j = 0; j < b; ++j) {
    // The first largest logit against the first largest target, as Eigen's maxCoeff picks.
    const Eigen::Index c = j * outputs;
    Lanes best_z = at(z, c), best_t = at(t, c), predicted = zero, actual = zero;
    for (Eigen::Index i = 1; i < outputs; ++i) {
      const auto zi = at(z, c + i), ti = at(t, c + i);
      predicted = (zi > best_z).select(Lanes::Constant(static_cast<double>(i)), predicted);
      best_z = best_z.max(zi);
      actual = (ti > best_t).select(Lanes::Constant(static_cast<double>(i)), actual);
      best_t = best_t.max(ti);
    }
    count += (predicted == actual).select(one, zero);
  }
  return count;
}

}  // namespace nn
