#include "nn/lanes.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "nn/activation.h"
#include "nn/vector_math.h"

namespace nn {
namespace {

// Lane element e of a LaneMatrix's data.
template <typename T>
Eigen::Map<const LanesOf<T>> at(const T* p, Eigen::Index e) {
  return Eigen::Map<const LanesOf<T>>(p + kLanesOf<T> * e);
}
template <typename T>
Eigen::Map<LanesOf<T>> at(T* p, Eigen::Index e) {
  return Eigen::Map<LanesOf<T>>(p + kLanesOf<T> * e);
}

// Contiguous numbers of a scalar type: ArrayMap, ArrayMapF (nn/activation.h).
template <typename T>
using MapOf = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T>
using ConstMapOf = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

// One lane element as a GCC/Clang vector: the accumulators of the products stay in registers,
// which Eigen's fixed-size arrays, kept in a local array, did not (they went through the stack
// on every step). aligned(8): loads and stores need no more than a double's alignment.
template <typename T>
using VecOf = typename simd::Vectors<T>::Narrow;
static_assert(sizeof(VecOf<double>) == sizeof(Lanes) && sizeof(VecOf<float>) == sizeof(Lanes));

// Samples per step of the binary cross-entropy (see loss_sum).
constexpr Eigen::Index kLossBlock = 32;
// Samples per step of forward() (an evaluation block has 512).
constexpr Eigen::Index kForwardChunk = 64;

// Lane element e of a LaneMatrix's data, as a vector. A reference, not a value: a function
// returning a 32-byte vector has another ABI with AVX than without, which GCC warns about.
template <typename T>
const VecOf<T>& load(const T* p, Eigen::Index e) {
  return *reinterpret_cast<const VecOf<T>*>(p + kLanesOf<T> * e);
}

// Every product of a pass, with indices counted in lane elements:
//   out[c * out_c + r] = init[r] (or 0) + sum_{t < n} a[r * a_r + t * a_t] * x[c * x_c + t * x_t]
// for r < rows and c < cols, with x = 1 when it is null. Rows are consecutive in init and out.
// Each element is summed over t in order in one accumulator (kept in out between stretches of
// t, which changes no bit), so its bits depend on the shape alone, never on the blocking.
// With a panel (room for rows x n elements), a is read from a copy there whose rows are
// consecutive a few at a time (panel_offset()): made by this product when `pack` is set, else
// left by an earlier one of the same rows, n and width. Without one, a_r must be 1.
template <typename T>
struct Product {
  Eigen::Index rows, cols, n;
  const T* a;
  Eigen::Index a_t;
  const T* x;
  Eigen::Index x_c, x_t;
  const T* init;
  T* out;
  Eigen::Index out_c;
  Eigen::Index a_r = 1;
  T* panel = nullptr;
  bool pack = false;
  bool resume = false;  // (within product()) start from out, not init
};

// The product in stretches of kDepth t, chunks of kChunk columns and panels of rows: a panel
// of a (rows x kDepth) stays in the first-level cache for all the columns of a chunk, and a
// chunk's inputs (kDepth x kChunk) in the second. Measured on nn_bench's BM_WidePass.
constexpr Eigen::Index kDepth = 64, kChunk = 64;

// Where, in lane elements, a panel of rows from r0 for t in [t0, t1) starts in a packed copy:
// stretch by stretch of t, the rows' panels in order, each t after t (h rows consecutive).
template <typename T>
Eigen::Index panel_offset(const Product<T>& p, Eigen::Index r0, Eigen::Index t0, Eigen::Index t1) {
  return p.rows * t0 + r0 * (t1 - t0);
}

// Loads a lane element into V: itself (Vec), or twice over (Vec8, both halves the same).
template <typename V, typename T>
[[gnu::always_inline]] inline void splat(const T* p, V& v) {
  using Vec = VecOf<T>;
  const Vec& e = *reinterpret_cast<const Vec*>(p);
  if constexpr (sizeof(V) == sizeof(Vec))
    v = e;
  else if constexpr (kLanesOf<T> == 4)
    v = __builtin_shufflevector(e, e, 0, 1, 2, 3, 0, 1, 2, 3);
  else
    v = __builtin_shufflevector(e, e, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
}

// A block of the product: R vectors of rows (one row each for Vec, two consecutive rows for
// Vec8) by S columns, R x S accumulators in registers. A weight vector is loaded once for the S
// columns and an input once for the R row vectors. `acc + a * x` is fused into one instruction
// at either width exactly when the build fuses (-ffp-contract=fast, optimised): both widths do
// the same operations on every element. a0: row r0 of a at t = 0, rows consecutive, t apart.
template <typename V, int R, int S, bool kOnes, typename T>
[[gnu::always_inline]] inline void block(const Product<T>& product, const T* a0, Eigen::Index a_t,
                                         Eigen::Index r0, Eigen::Index c0) {
  using Vec = VecOf<T>;
  constexpr int kLanes = kLanesOf<T>;
  const Product<T> p = product;  // a copy, which the stores below cannot change: kept in registers
  constexpr int kRows = sizeof(V) / sizeof(Vec);  // rows per vector
  // A reference, not a value: see load().
  const auto row = [&](const T* base, int r) -> const V& {
    return *reinterpret_cast<const V*>(base + kLanes * kRows * r);
  };
  const auto out = [&](int s, int r) -> V& {
    return *reinterpret_cast<V*>(p.out + kLanes * ((c0 + s) * p.out_c + r0 + kRows * r));
  };
  V acc[S][R];
  for (int r = 0; r < R; ++r)
    for (int s = 0; s < S; ++s)
      acc[s][r] = p.resume ? out(s, r) : p.init ? row(p.init + kLanes * r0, r) : V{};
  for (Eigen::Index t = 0; t < p.n; ++t) {
    const T* a = a0 + kLanes * t * a_t;
    if constexpr (kOnes) {
      for (int r = 0; r < R; ++r) acc[0][r] += row(a, r);
    } else {
      V x[S];
      for (int s = 0; s < S; ++s) splat(p.x + kLanes * ((c0 + s) * p.x_c + t * p.x_t), x[s]);
      for (int r = 0; r < R; ++r) {
        const V w = row(a, r);
        for (int s = 0; s < S; ++s) acc[s][r] += w * x[s];
      }
    }
  }
  for (int s = 0; s < S; ++s)
    for (int r = 0; r < R; ++r) out(s, r) = acc[s][r];
}

// Rows [r0, r0 + R x rows per vector) for t in [t0, t1) and columns [c0, c1), in blocks of S
// columns, then one at a time; those rows of a copied to the panel first when the product packs
// (once, in the first chunk of columns).
template <typename V, int R, int S, typename T>
[[gnu::always_inline]] inline void rows(const Product<T>& p, Eigen::Index r0, Eigen::Index t0,
                                        Eigen::Index t1, Eigen::Index c0, Eigen::Index c1) {
  using Vec = VecOf<T>;
  constexpr int kLanes = kLanesOf<T>;
  constexpr Eigen::Index kRows = R * sizeof(V) / sizeof(Vec);
  const T* a = p.a + kLanes * (r0 + t0 * p.a_t);
  Eigen::Index a_t = p.a_t;
  if (p.panel) {
    T* panel = p.panel + kLanes * panel_offset(p, r0, t0, t1);
    // Along a's rows or its t, whichever are consecutive: a run of memory read at a time.
    if (p.pack && c0 == 0 && p.a_r == 1)
      for (Eigen::Index t = t0; t < t1; ++t)
        for (Eigen::Index r = 0; r < kRows; ++r)  // not std::copy_n: a call to memmove
          *reinterpret_cast<Vec*>(panel + kLanes * (r + (t - t0) * kRows)) =
              load(a, r + (t - t0) * p.a_t);
    else if (p.pack && c0 == 0)
      for (Eigen::Index r = 0; r < kRows; ++r)
        for (Eigen::Index t = t0; t < t1; ++t)
          *reinterpret_cast<Vec*>(panel + kLanes * (r + (t - t0) * kRows)) =
              load(p.a, (r0 + r) * p.a_r + t * p.a_t);
    a = panel, a_t = kRows;
  }
  Product<T> q = p;
  q.n = t1 - t0;
  q.x = p.x ? p.x + kLanes * t0 * p.x_t : nullptr;
  q.resume = t0 > 0;
  if (!p.x) return block<V, R, 1, true>(q, a, a_t, r0, 0);
  Eigen::Index c = c0;
  for (; c + S <= c1; c += S) block<V, R, S, false>(q, a, a_t, r0, c);
  for (; c < c1; ++c) block<V, R, 1, false>(q, a, a_t, r0, c);
}

// The whole product. Four lanes (Vec): rows four at a time, two columns per block (eight
// accumulators of sixteen registers). Eight lanes (Vec8, two rows each, 32 registers): rows
// eight, four, then two at a time, four, four, then eight columns per block (sixteen, eight and
// eight accumulators). The last single rows as Vec, four columns per block: independent sums
// for the core to overlap. The block sizes are the fastest of those tried on nn_bench's 2-8-8-1
// network (bench/README.md).
template <typename V, typename T>
[[gnu::always_inline]] inline void product(const Product<T>& p) {
  using Vec = VecOf<T>;
  assert(p.n > 0 && (p.panel || p.a_r == 1));
  const Eigen::Index cols = p.x ? p.cols : 1;
  for (Eigen::Index c0 = 0; c0 < cols; c0 += kChunk) {
    const Eigen::Index c1 = std::min(c0 + kChunk, cols);
    for (Eigen::Index t0 = 0; t0 < p.n; t0 += kDepth) {
      const Eigen::Index t1 = std::min(t0 + kDepth, p.n);
      Eigen::Index r = 0;
      if constexpr (sizeof(V) == sizeof(Vec)) {
        for (; r + 4 <= p.rows; r += 4) rows<Vec, 4, 2>(p, r, t0, t1, c0, c1);
      } else {
        for (; r + 8 <= p.rows; r += 8) rows<V, 4, 4>(p, r, t0, t1, c0, c1);
        for (; r + 4 <= p.rows; r += 4) rows<V, 2, 4>(p, r, t0, t1, c0, c1);
        for (; r + 2 <= p.rows; r += 2) rows<V, 1, 8>(p, r, t0, t1, c0, c1);
      }
      for (; r < p.rows; ++r) rows<Vec, 1, 4>(p, r, t0, t1, c0, c1);
    }
  }
}

#if NNSWEEP_SIMD_WIDE
// Two rows per instruction on CPUs with AVX-512: the same operations on every element as with
// four lanes, so the same bits (only in builds with FMA, as for nn/vector_math.h's functions).
__attribute__((target("avx512f,fma"))) void product_avx512(const Product<double>& p) {
  product<simd::Vec8>(p);
}
__attribute__((target("avx512f,fma"))) void product_avx512(const Product<float>& p) {
  product<simd::Vec16f>(p);
}
#else
template <typename T>
void product_avx512(const Product<T>& p) {
  product<VecOf<T>>(p);
}
#endif

template <typename T>
void multiply_of(const Product<T>& p, int vector_width) {
  if (vector_width == 8)
    product_avx512(p);
  else
    product<VecOf<T>>(p);
}
// Overloads rather than a template: the products are written as designated initialisers.
void multiply(const Product<double>& p, int vector_width) {
  multiply_of(p, vector_width);
}
void multiply(const Product<float>& p, int vector_width) {
  multiply_of(p, vector_width);
}

// log sum_i e^z_i over n consecutive lane elements, shifted by their maximum.
template <typename T>
LanesOf<T> log_sum_exp(const T* z, Eigen::Index n) {
  using Lanes = LanesOf<T>;
  Lanes m = at(z, 0);
  for (Eigen::Index i = 1; i < n; ++i) m = m.max(at(z, i));
  Lanes sum = Lanes::Zero();
  for (Eigen::Index i = 0; i < n; ++i) sum += (at(z, i) - m).exp();
  return m + sum.log();
}

template <typename T>
MapOf<T> flat(LaneMatrixOf<T>& m, Eigen::Index elements) {
  return {m.data(), kLanesOf<T> * elements};
}

}  // namespace

template <typename T>
LaneMatrixOf<T> broadcast(const Eigen::MatrixXd& m) {
  LaneMatrixOf<T> out(kLanesOf<T>, m.size());
  for (Eigen::Index e = 0; e < m.size(); ++e) out.col(e).setConstant(static_cast<T>(m.data()[e]));
  return out;
}
template LaneMatrixOf<double> broadcast(const Eigen::MatrixXd&);
template LaneMatrixOf<float> broadcast(const Eigen::MatrixXd&);

template <typename T>
LaneNetOf<T>::LaneNetOf(int inputs, const std::vector<int>& hidden, int outputs,
                        Activation activation, double leaky_slope, Task task, Loss loss)
    : activation_(activation),
      leaky_slope_(leaky_slope),
      task_(task),
      loss_(resolve_loss(loss, task)),
      vector_width_(simd::widest()) {
  if (task == Task::regression && loss_ == Loss::cross_entropy)
    throw std::invalid_argument("cross-entropy needs classes, not a regression target");
  widths_.push_back(inputs);
  widths_.insert(widths_.end(), hidden.begin(), hidden.end());
  widths_.push_back(outputs);
  offsets_.push_back(0);
  for (int l = 0; l < layers(); ++l)
    offsets_.push_back(offsets_.back() + Eigen::Index{widths_[l + 1]} * (widths_[l] + 1));
}

template <typename T>
typename LaneNetOf<T>::Workspace LaneNetOf<T>::make_workspace(Eigen::Index capacity) const {
  Workspace ws;
  ws.capacity = capacity;
  for (int l = 0; l < layers(); ++l) {
    ws.out.emplace_back(kLanes, widths_[l + 1] * capacity);
    ws.delta.emplace_back(kLanes, widths_[l + 1] * capacity);
  }
  ws.panels.resize(kLanes, parameter_count());
  if (mixed_activations_) {
    Eigen::Index widest = 0;
    for (int l = 1; l < layers(); ++l) widest = std::max(widest, Eigen::Index{widths_[l]});
    ws.before.resize(kLanes, widest * capacity);
    ws.each.resize(kLanes, widest * capacity);
  }
  return ws;
}

template <typename T>
bool LaneNetOf<T>::use_vector_width(int numbers) {
  if (!simd::runs_width(numbers)) return false;
  vector_width_ = numbers;
  return true;
}

template <typename T>
void LaneNetOf<T>::forward(const LaneMatrix& params, const LaneMatrix& x, Eigen::Index b,
                           Workspace& ws) const {
  assert(b <= ws.capacity && x.cols() >= widths_.front() * b);
  // kForwardChunk samples at a time through every layer: their outputs stay in the cache from
  // one layer to the next. Samples never mix, so the chunks change no bit.
  for (Eigen::Index j = 0; j < b; j += kForwardChunk) {
    const Eigen::Index m = std::min(kForwardChunk, b - j);
    for (int l = 0; l < layers(); ++l) {
      const Eigen::Index fan_in = widths_[l], fan_out = widths_[l + 1];
      const T* w = params.data() + kLanes * offsets_[l];
      const T* in = l == 0 ? x.data() : ws.out[l - 1].data();
      T* out = ws.out[l].data() + kLanes * j * fan_out;
      // out(i, j) = bias(i) + sum_k W(i, k) in(k, j)
      multiply({.rows = fan_out,
                .cols = m,
                .n = fan_in,
                .a = w,
                .a_t = fan_out,
                .x = in + kLanes * j * fan_in,
                .x_c = fan_in,
                .x_t = 1,
                .init = w + kLanes * fan_in * fan_out,
                .out = out,
                .out_c = fan_out,
                .panel = ws.panels.data() + kLanes * offsets_[l],
                .pack = j == 0},
               vector_width_);
      if (l + 1 < layers()) activate(MapOf<T>(out, kLanes * fan_out * m), ws);
    }
  }
}

template <typename T>
LanesOf<T> LaneNetOf<T>::mse_sum(const LaneMatrix& y, Eigen::Index b, const Workspace& ws) const {
  const Eigen::Index outputs = widths_.back();
  const T* z = ws.out.back().data();
  const T* t = y.data();
  Lanes sum = Lanes::Zero();
  if (task_ == Task::regression) {  // squared error, 1/2 (z - y)^2 per output
    for (Eigen::Index e = 0; e < outputs * b; ++e) sum += T(0.5) * (at(z, e) - at(t, e)).square();
    return sum;
  }
  // Classes: 1/2 (p - y)^2 per output, p the probabilities. Two classes: the sigmoids of a
  // block of samples at once (as the cross-entropy in loss_sum), then the sum in sample order.
  if (task_ == Task::binary) {
    for (Eigen::Index j0 = 0; j0 < b; j0 += kLossBlock) {
      const Eigen::Index m = std::min(kLossBlock, b - j0);
      alignas(64) T p[kLossBlock * kLanes];
      std::copy_n(z + kLanes * j0, kLanes * m, p);
      activate_width(Activation::sigmoid, 0.0, MapOf<T>(p, kLanes * m), vector_width_);
      for (Eigen::Index k = 0; k < m; ++k) sum += T(0.5) * (at(p, k) - at(t, j0 + k)).square();
    }
    return sum;
  }
  // More classes: p_i = e^(z_i - log sum_k e^z_k), the softmax.
  for (Eigen::Index j = 0; j < b; ++j) {
    const Eigen::Index c = j * outputs;
    const Lanes lse = log_sum_exp(z + kLanes * c, outputs);
    for (Eigen::Index i = 0; i < outputs; ++i)
      sum += T(0.5) * ((at(z, c + i) - lse).exp() - at(t, c + i)).square();
  }
  return sum;
}

template <typename T>
LanesOf<T> LaneNetOf<T>::loss_sum(const LaneMatrix& y, Eigen::Index b, const Workspace& ws) const {
  if (loss_ == Loss::mse) return mse_sum(y, b, ws);
  const Eigen::Index outputs = widths_.back();
  const T* z = ws.out.back().data();
  const T* t = y.data();
  Lanes sum = Lanes::Zero();
  switch (task_) {
    case Task::regression:  // not reached: the constructor refuses cross-entropy here
      break;
    case Task::binary:
      // Binary cross-entropy on sigmoid(z), stable for any z: max(z, 0) - z y + log(1 + e^-|z|),
      // the last term for a block of samples at once (vectors as wide as the CPU's), then the
      // sum one sample after the other.
      for (Eigen::Index j0 = 0; j0 < b; j0 += kLossBlock) {
        const Eigen::Index m = std::min(kLossBlock, b - j0);
        alignas(64) T e[kLossBlock * kLanes];
        std::copy_n(z + kLanes * j0, kLanes * m, e);
        log1p_exp_neg_abs_width(MapOf<T>(e, kLanes * m), vector_width_);
        for (Eigen::Index k = 0; k < m; ++k) {
          const Lanes zj = at(z, j0 + k), tj = at(t, j0 + k);
          sum += zj.max(T(0)) - zj * tj + at(e, k);
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

template <typename T>
void LaneNetOf<T>::loss_gradient(const LaneMatrix& y, Eigen::Index b, Workspace& ws) const {
  const Eigen::Index outputs = widths_.back();
  const T* z = ws.out.back().data();
  T* grad = ws.delta.back().data();
  const T* t = y.data();
  const T inv_b = T(1) / static_cast<T>(b);
  if (loss_ == Loss::mse && task_ != Task::regression) return mse_of_probabilities(y, b, ws);
  switch (task_) {
    case Task::regression:  // d/dz of the mean of 1/2 (z - y)^2 is (z - y) / b
      for (Eigen::Index e = 0; e < outputs * b; ++e) at(grad, e) = inv_b * (at(z, e) - at(t, e));
      break;
    case Task::binary:  // sigmoid(z) - y
      std::copy_n(z, kLanes * b, grad);
      activate_width(Activation::sigmoid, 0.0, MapOf<T>(grad, kLanes * b), vector_width_);
      for (Eigen::Index j = 0; j < b; ++j) at(grad, j) = inv_b * (at(grad, j) - at(t, j));
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

// d/dz of the mean over b samples of 1/2 sum_i (p_i - y_i)^2, p the output probabilities:
//   two classes, p = sigmoid(z):  (p - y) p (1 - p) / b
//   more classes, p = softmax(z): dp_i/dz_k = p_i (delta_ik - p_k), so
//                                 p_k ((p_k - y_k) - sum_i (p_i - y_i) p_i) / b
template <typename T>
void LaneNetOf<T>::mse_of_probabilities(const LaneMatrix& y, Eigen::Index b, Workspace& ws) const {
  const Eigen::Index outputs = widths_.back();
  const T* z = ws.out.back().data();
  T* grad = ws.delta.back().data();
  const T* t = y.data();
  const T inv_b = T(1) / static_cast<T>(b);
  if (task_ == Task::binary) {
    std::copy_n(z, kLanes * b, grad);
    activate_width(Activation::sigmoid, 0.0, MapOf<T>(grad, kLanes * b), vector_width_);
    for (Eigen::Index j = 0; j < b; ++j) {
      const Lanes p = at(grad, j);
      at(grad, j) = inv_b * ((p - at(t, j)) * p * (T(1) - p));
    }
    return;
  }
  for (Eigen::Index j = 0; j < b; ++j) {
    const Eigen::Index c = j * outputs;
    const Lanes lse = log_sum_exp(z + kLanes * c, outputs);
    Lanes dot = Lanes::Zero();  // sum_i (p_i - y_i) p_i
    for (Eigen::Index i = 0; i < outputs; ++i) {
      const Lanes p = (at(z, c + i) - lse).exp();
      at(grad, c + i) = p;
      dot += (p - at(t, c + i)) * p;
    }
    for (Eigen::Index i = 0; i < outputs; ++i) {
      const Lanes p = at(grad, c + i);
      at(grad, c + i) = inv_b * (p * ((p - at(t, c + i)) - dot));
    }
  }
}

template <typename T>
void LaneNetOf<T>::backward(const LaneMatrix& params, const LaneMatrix& x, Eigen::Index b,
                            Workspace& ws, LaneMatrix& grad) const {
  // The panels also hold a layer's delta for its weight gradient (fan_out x b elements).
  const Eigen::Index room = *std::max_element(widths_.begin() + 1, widths_.end()) * b;
  if (ws.panels.cols() < room) ws.panels.resize(kLanes, room);
  for (int l = layers() - 1; l >= 0; --l) {
    const Eigen::Index fan_in = widths_[l], fan_out = widths_[l + 1];
    const T* delta = ws.delta[l].data();  // (fan_out x b)
    const T* in = l == 0 ? x.data() : ws.out[l - 1].data();
    T* grad_w = grad.data() + kLanes * offsets_[l];
    T* grad_b = grad_w + kLanes * fan_in * fan_out;
    // dW(i, k) = sum_j delta(i, j) in(k, j);  db(i) = sum_j delta(i, j)
    multiply({.rows = fan_out,
              .cols = fan_in,
              .n = b,
              .a = delta,
              .a_t = fan_out,
              .x = in,
              .x_c = 1,
              .x_t = fan_in,
              .init = nullptr,
              .out = grad_w,
              .out_c = fan_out,
              .panel = ws.panels.data(),
              .pack = true},
             vector_width_);
    multiply({.rows = fan_out,
              .cols = 1,
              .n = b,
              .a = delta,
              .a_t = fan_out,
              .x = nullptr,
              .x_c = 0,
              .x_t = 0,
              .init = nullptr,
              .out = grad_b,
              .out_c = 0},
             vector_width_);
    if (l > 0) {
      // below(k, j) = sum_i W(i, k) delta(i, j), times f' at the layer below's output; through
      // W's transpose, a few of its rows (W's columns) at a time.
      multiply({.rows = fan_in,
                .cols = b,
                .n = fan_out,
                .a = params.data() + kLanes * offsets_[l],
                .a_t = 1,
                .x = delta,
                .x_c = fan_out,
                .x_t = 1,
                .init = nullptr,
                .out = ws.delta[l - 1].data(),
                .out_c = fan_in,
                .a_r = fan_out,
                .panel = ws.panels.data() + kLanes * offsets_[l],
                .pack = true},
               vector_width_);
      multiply_by_derivative(ConstMapOf<T>(ws.out[l - 1].data(), kLanes * fan_in * b),
                             flat(ws.delta[l - 1], fan_in * b), ws);
    }
  }
}

template <typename T>
void LaneNetOf<T>::add_penalty(const LaneMatrix& params, Regularization reg, const Lanes& rate,
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

template <typename T>
LanesOf<T> LaneNetOf<T>::correct(const LaneMatrix& y, Eigen::Index b, const Workspace& ws) const {
  const Eigen::Index outputs = widths_.back();
  const T* z = ws.out.back().data();
  const T* t = y.data();
  const Lanes one = Lanes::Ones(), zero = Lanes::Zero();
  if (task_ == Task::binary) {
    // Comparisons of GCC/Clang vectors give masks of -1 (true) and 0: subtracting the mask of
    // the right answers counts them, a few instructions a sample.
    using Count = decltype(load(z, 0) > T(0));  // the masks of the comparisons below
    Count right = {};
    for (Eigen::Index j = 0; j < b; ++j) right -= (load(z, j) > 0.0) == (load(t, j) > 0.5);
    Lanes count;
    for (int l = 0; l < kLanes; ++l) count[l] = static_cast<T>(right[l]);
    return count;
  }
  Lanes count = zero;
  for (Eigen::Index j = 0; j < b; ++j) {
    // The first largest logit against the first largest target, as Eigen's maxCoeff picks.
    const Eigen::Index c = j * outputs;
    Lanes best_z = at(z, c), best_t = at(t, c), predicted = zero, actual = zero;
    for (Eigen::Index i = 1; i < outputs; ++i) {
      const auto zi = at(z, c + i), ti = at(t, c + i);
      predicted = (zi > best_z).select(Lanes::Constant(static_cast<T>(i)), predicted);
      best_z = best_z.max(zi);
      actual = (ti > best_t).select(Lanes::Constant(static_cast<T>(i)), actual);
      best_t = best_t.max(ti);
    }
    count += (predicted == actual).select(one, zero);
  }
  return count;
}

template <typename T>
void LaneNetOf<T>::weight_samples(const LaneMatrix& w, Eigen::Index b, Workspace& ws) const {
  const Eigen::Index outputs = widths_.back();
  T* grad = ws.delta.back().data();
  for (Eigen::Index j = 0; j < b; ++j)
    for (Eigen::Index i = 0; i < outputs; ++i) at(grad, j * outputs + i) *= at(w.data(), j);
}

template <typename T>
typename LaneNetOf<T>::Confusion LaneNetOf<T>::empty_confusion() const {
  const Eigen::Index classes = std::max(widths_.back(), 2);
  return {Eigen::ArrayXXd::Zero(classes, kLanes), Eigen::ArrayXXd::Zero(classes, kLanes),
          Eigen::ArrayXXd::Zero(classes, kLanes)};
}

template <typename T>
void LaneNetOf<T>::tally(const LaneMatrix& y, Eigen::Index b, const Workspace& ws,
                         Confusion& into) const {
  const Eigen::Index outputs = widths_.back();
  const T* z = ws.out.back().data();
  const T* t = y.data();
  if (task_ == Task::binary) {
    // Counted with vector masks, as correct() does: hits and predictions of class 1 and the
    // samples of class 1; class 0's follow from them and b.
    using Count = decltype(load(z, 0) > T(0));  // the masks of the comparisons below
    Count hits1 = {}, predicted1 = {}, actual1 = {}, right = {};
    for (Eigen::Index j = 0; j < b; ++j) {
      const Count p = load(z, j) > 0.0, a = load(t, j) > 0.5;
      predicted1 -= p, actual1 -= a, hits1 -= p & a, right -= p == a;
    }
    const auto bd = static_cast<double>(b);
    for (int l = 0; l < kLanes; ++l) {
      into.hits(1, l) += static_cast<double>(hits1[l]);
      into.hits(0, l) += static_cast<double>(right[l] - hits1[l]);
      into.predicted(1, l) += static_cast<double>(predicted1[l]);
      into.predicted(0, l) += bd - static_cast<double>(predicted1[l]);
      into.actual(1, l) += static_cast<double>(actual1[l]);
      into.actual(0, l) += bd - static_cast<double>(actual1[l]);
    }
    return;
  }
  for (Eigen::Index j = 0; j < b; ++j) {
    // The first largest logit against the first largest target, as correct() and Eigen's
    // maxCoeff pick.
    const Eigen::Index c = j * outputs;
    for (int l = 0; l < kLanes; ++l) {
      Eigen::Index predicted = 0, actual = 0;
      for (Eigen::Index i = 1; i < outputs; ++i) {
        if (z[kLanes * (c + i) + l] > z[kLanes * (c + predicted) + l]) predicted = i;
        if (t[kLanes * (c + i) + l] > t[kLanes * (c + actual) + l]) actual = i;
      }
      into.predicted(predicted, l) += 1;
      into.actual(actual, l) += 1;
      if (predicted == actual) into.hits(predicted, l) += 1;
    }
  }
}

template class LaneNetOf<double>;
template class LaneNetOf<float>;

}  // namespace nn
