// report.html's sections about what matters in a sweep, drawn from an ImportanceTable
// (importance.h) as static SVG: the share of the metric's variance each setting explains, the
// trials as parallel coordinates across the settings to the metric, and one slice per setting
// (the metric against its values, repeats as dots, the median joined; a scatter for a setting
// drawn at random). Past kMaxDrawn trials every k-th trial in trial order is drawn, k the
// smallest that keeps the count under it; medians and shares always use every trial.
#pragma once

#include <string>

#include "results/importance.h"

namespace results {

inline constexpr std::size_t kMaxDrawn = 400;

// "What matters": the bars, the parallel coordinates and the slices; nothing without a table.
void importance_sections(std::string& out, const ImportanceTable* table);

// The CSS the sections use.
extern const char* const kChartStyle;

}  // namespace results
