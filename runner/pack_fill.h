// How full a sweep's packs will be (nn/pack.h): `run` trains each training waiting with those of
// the next kPackWindow on its dataset that can share its lanes, so a sweep whose neighbours
// differ in network, batch size or penalty fills fewer lanes and costs more per training.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sweeps/spec.h"

namespace runner {

// How many trainings past the first waiting one `run` looks at for the first one's pack.
inline constexpr std::size_t kPackWindow = 32;

// The mean number of trainings per pack (1 to nn::trainings_side_by_side() of their precision:
// 4 in float64, 8 in float32) when the trainings of the sweep's first `trials` trials are
// grouped as `run` groups them. Grid axes vary fastest last, so which trainings sit next to each
// other repeats through the sweep: its start tells.
double expected_pack_fill(const sweeps::Sweep& sweep, std::uint64_t trials = 4096);

}  // namespace runner
