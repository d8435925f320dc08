// Each outcome's colour on report.html (the heatmap, the legend, the charts), in the order of
// nn::Outcome, and whether white text reads on it. The terminal's table uses the same hues.
#pragma once

#include <array>
#include <cstddef>

#include "results/trial_record.h"

namespace results {

struct Swatch {
  const char* fill;
  bool dark;
};

inline constexpr std::array<Swatch, kOutcomes> kOutcomeColours = {{{"#1a9850", true},
                                                                   {"#a6d96a", false},
                                                                   {"#fee08b", false},
                                                                   {"#c2a5cf", false},
                                                                   {"#fdae61", false},
                                                                   {"#74add1", false},
                                                                   {"#d73027", true},
                                                                   {"#bdbdbd", false},
                                                                   {"#e0e0e0", false}}};

inline const Swatch& swatch(Outcome o) {
  return kOutcomeColours[static_cast<std::size_t>(o)];
}

}  // namespace results
