// Hidden activations per lane (LaneNet::use_lane_activations): trainings that differ only in
// their activation share a pack, a common sweep axis whose trainings would otherwise run in
// packs of one. Each activation present is computed for every lane, with the very function a
// LaneNet of that activation alone calls, on a copy of the layer, and each lane keeps its own
// activation's numbers: the same bits as alone, whatever the other lanes hold. (One function
// with a per-lane formula would have to repeat every activation's exact operations; zeroing
// terms is not neutral for -0, inf and NaN.)
#include <cstdint>
#include <cstring>

#include "nn/lanes.h"

namespace nn {
namespace {

using Mask = std::int64_t __attribute__((vector_size(kLanes * sizeof(std::int64_t))));
using Vec = double __attribute__((vector_size(kLanes * sizeof(double))));

// The lanes whose activation and slope are lane `first`'s.
Mask lanes_like(const std::array<Activation, kLanes>& f, const std::array<double, kLanes>& slope,
                int first) {
  Mask m = {};
  for (int l = 0; l < kLanes; ++l)
    m[l] =
        f[l] == f[first] && (f[l] != Activation::leaky_relu || slope[l] == slope[first]) ? -1 : 0;
  return m;
}

// Whether lane l's activation was seen in an earlier lane.
bool seen_before(const std::array<Activation, kLanes>& f, const std::array<double, kLanes>& slope,
                 int l) {
  for (int k = 0; k < l; ++k)
    if (lanes_like(f, slope, k)[l]) return true;
  return false;
}

// to[i] = from[i] in the lanes of `mask`, over n lane elements.
void keep_lanes(const double* from, double* to, Eigen::Index n, const Mask& mask) {
  for (Eigen::Index e = 0; e < n; ++e) {
    Vec a, b;
    std::memcpy(&a, from + kLanes * e, sizeof a);
    std::memcpy(&b, to + kLanes * e, sizeof b);
    b = mask ? a : b;
    std::memcpy(to + kLanes * e, &b, sizeof b);
  }
}

}  // namespace

void LaneNet::use_lane_activations(const std::array<Activation, kLanes>& activations,
                                   const std::array<double, kLanes>& slopes) {
  lane_activation_ = activations;
  lane_slope_ = slopes;
  mixed_activations_ = false;
  for (int l = 1; l < kLanes; ++l) mixed_activations_ |= !lanes_like(activations, slopes, 0)[l];
  activation_ = activations[0];
  leaky_slope_ = slopes[0];
}

void LaneNet::activate(ArrayMap z, Workspace& ws) const {
  if (!mixed_activations_) {
    activate_width(activation_, leaky_slope_, z, vector_width_);
    return;
  }
  const Eigen::Index n = z.size();
  std::memcpy(ws.before.data(), z.data(), sizeof(double) * n);
  for (int l = 0; l < kLanes; ++l) {
    if (seen_before(lane_activation_, lane_slope_, l)) continue;
    std::memcpy(ws.each.data(), ws.before.data(), sizeof(double) * n);
    activate_width(lane_activation_[l], lane_slope_[l], ArrayMap(ws.each.data(), n), vector_width_);
    keep_lanes(ws.each.data(), z.data(), n / kLanes, lanes_like(lane_activation_, lane_slope_, l));
  }
}

void LaneNet::multiply_by_derivative(ConstArrayMap a, ArrayMap grad, Workspace& ws) const {
  if (!mixed_activations_) {
    multiply_by_derivative_width(activation_, leaky_slope_, a, grad, vector_width_);
    return;
  }
  const Eigen::Index n = grad.size();
  std::memcpy(ws.before.data(), grad.data(), sizeof(double) * n);
  for (int l = 0; l < kLanes; ++l) {
    if (seen_before(lane_activation_, lane_slope_, l)) continue;
    std::memcpy(ws.each.data(), ws.before.data(), sizeof(double) * n);
    multiply_by_derivative_width(lane_activation_[l], lane_slope_[l], a,
                                 ArrayMap(ws.each.data(), n), vector_width_);
    keep_lanes(ws.each.data(), grad.data(), n / kLanes,
               lanes_like(lane_activation_, lane_slope_, l));
  }
}

}  // namespace nn
