// Hidden activations per lane (LaneNet::use_lane_activations): trainings that differ only in
// their activation share a pack, a common sweep axis whose trainings would otherwise run in
// packs of one. Each activation present is computed for every lane, with the very function a
// LaneNet of that activation alone calls, on a copy of the layer, and each lane keeps its own
// activation's numbers: the same bits as alone, whatever the other lanes hold. (One function
// with a per-lane formula would have to repeat every activation's exact operations; zeroing
// terms is not neutral for -0, inf and NaN.)
#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "nn/lanes.h"
#include "nn/vector_math.h"

namespace nn {
namespace {

// A lane element of T as a GCC/Clang vector, and the masks its comparisons give.
template <typename T>
using VecOf = typename simd::Vectors<T>::Narrow;
template <typename T>
using MaskOf = decltype(VecOf<T>{} < VecOf<T>{});

// The lanes whose activation and slope are lane `first`'s.
template <typename T>
MaskOf<T> lanes_like(const std::array<Activation, kLanesOf<T>>& f,
                     const std::array<double, kLanesOf<T>>& slope, int first) {
  MaskOf<T> m = {};
  for (int l = 0; l < kLanesOf<T>; ++l)
    m[l] =
        f[l] == f[first] && (f[l] != Activation::leaky_relu || slope[l] == slope[first]) ? -1 : 0;
  return m;
}

// Whether lane l's activation was seen in an earlier lane.
template <typename T>
bool seen_before(const std::array<Activation, kLanesOf<T>>& f,
                 const std::array<double, kLanesOf<T>>& slope, int l) {
  for (int k = 0; k < l; ++k)
    if (lanes_like<T>(f, slope, k)[l]) return true;
  return false;
}

// to[i] = from[i] in the lanes of `mask`, over n lane elements. A select of the numbers' bits
// in integers, which the compiler keeps in vector registers; the same select on GCC vectors
// copied in and out with memcpy went through the stack in halves (a stalled reload each time).
template <typename T>
void keep_lanes(const T* from, T* to, Eigen::Index n, const MaskOf<T>& mask) {
  constexpr int kLanes = kLanesOf<T>;
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  static_assert(sizeof(Bits) == sizeof(T));
  std::array<Bits, kLanes> keep{};
  for (int l = 0; l < kLanes; ++l) keep[l] = mask[l] ? ~Bits{0} : Bits{0};
  for (Eigen::Index e = 0; e < n; ++e) {
    for (int l = 0; l < kLanes; ++l) {
      Bits a, b;
      std::memcpy(&a, from + kLanes * e + l, sizeof a);
      std::memcpy(&b, to + kLanes * e + l, sizeof b);
      b = (a & keep[l]) | (b & ~keep[l]);
      std::memcpy(to + kLanes * e + l, &b, sizeof b);
    }
  }
}

}  // namespace

template <typename T>
void LaneNetOf<T>::use_lane_activations(const std::array<Activation, kLanes>& activations,
                                        const std::array<double, kLanes>& slopes) {
  lane_activation_ = activations;
  lane_slope_ = slopes;
  mixed_activations_ = false;
  for (int l = 1; l < kLanes; ++l) mixed_activations_ |= !lanes_like<T>(activations, slopes, 0)[l];
  activation_ = activations[0];
  leaky_slope_ = slopes[0];
}

template <typename T>
void LaneNetOf<T>::activate(Map z, Workspace& ws) const {
  if (!mixed_activations_) {
    activate_width(activation_, leaky_slope_, z, vector_width_);
    return;
  }
  const Eigen::Index n = z.size();
  std::memcpy(ws.before.data(), z.data(), sizeof(T) * n);
  for (int l = 0; l < kLanes; ++l) {
    if (seen_before<T>(lane_activation_, lane_slope_, l)) continue;
    std::memcpy(ws.each.data(), ws.before.data(), sizeof(T) * n);
    activate_width(lane_activation_[l], lane_slope_[l], Map(ws.each.data(), n), vector_width_);
    keep_lanes(ws.each.data(), z.data(), n / kLanes,
               lanes_like<T>(lane_activation_, lane_slope_, l));
  }
}

template <typename T>
void LaneNetOf<T>::multiply_by_derivative(ConstMap a, Map grad, Workspace& ws) const {
  if (!mixed_activations_) {
    multiply_by_derivative_width(activation_, leaky_slope_, a, grad, vector_width_);
    return;
  }
  const Eigen::Index n = grad.size();
  std::memcpy(ws.before.data(), grad.data(), sizeof(T) * n);
  for (int l = 0; l < kLanes; ++l) {
    if (seen_before<T>(lane_activation_, lane_slope_, l)) continue;
    std::memcpy(ws.each.data(), ws.before.data(), sizeof(T) * n);
    multiply_by_derivative_width(lane_activation_[l], lane_slope_[l], a, Map(ws.each.data(), n),
                                 vector_width_);
    keep_lanes(ws.each.data(), grad.data(), n / kLanes,
               lanes_like<T>(lane_activation_, lane_slope_, l));
  }
}

// The members defined here; the rest of LaneNetOf is instantiated in nn/lanes.cpp.
template void LaneNetOf<double>::use_lane_activations(
    const std::array<Activation, kLanesOf<double>>&, const std::array<double, kLanesOf<double>>&);
template void LaneNetOf<double>::activate(Map, Workspace&) const;
template void LaneNetOf<double>::multiply_by_derivative(ConstMap, Map, Workspace&) const;
template void LaneNetOf<float>::use_lane_activations(const std::array<Activation, kLanesOf<float>>&,
                                                     const std::array<double, kLanesOf<float>>&);
template void LaneNetOf<float>::activate(Map, Workspace&) const;
template void LaneNetOf<float>::multiply_by_derivative(ConstMap, Map, Workspace&) const;

}  // namespace nn
