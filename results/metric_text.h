// How numbers are written for people: the terminal's tables, convergence.md and report.html use
// these and nothing else, so a metric reads the same wherever it is shown. Files for programs
// (the CSVs) keep every digit instead (results/csv.h). Each takes a finite number; what stands
// for a missing one is the caller's (a table cell says "n/a", the page a dash).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace results {

// A loss, or any metric without a rule of its own: four significant digits ("0.01234").
std::string loss_text(double value);

// An accuracy, a share in [0, 1]: three decimals ("0.973").
std::string accuracy_text(double value);

// A number of epochs, or a median or mean of them: at most one decimal ("304.5", "120").
std::string epochs_text(double value);

// `value` of the trials.csv metric `metric` (epochs_to_target, final_test_accuracy, ...), by the
// rule of its kind.
std::string metric_text(std::string_view metric, double value);

// A p-value: two significant digits, and "< 0.001" below that ("0.31", "0.042", "< 0.001").
std::string p_value_text(double value);

// `part` of `whole` as a whole percentage; never 0% or 100% unless it is exactly so.
// REQUIRES whole > 0.
std::string percent_text(std::uint64_t part, std::uint64_t whole);

// `v` with one decimal, as std::to_chars fixed with precision 1 writes it (and fmt's "{:.1f}"):
// the exact value rounded, ties to even. The curves draw tens of thousands of these, and the
// general algorithm cost some 700 instructions each. Below 1e14 the tenths are found exactly:
// 10|v| = p + e with p the rounded product and e its exact error (fma), so the sign of
// (p - floor(p) - 0.5) + e, each step exact, says which way the exact value rounds.
// `end` - `out` must hold the text: 24 characters below 1e14, 320 for any finite value.
char* write_tenths(char* out, char* end, double v);
// The tenths write_tenths rounds `v` to, signed: 12.34 gives 123. REQUIRES |v| < 1e14.
std::int64_t tenths_of(double v);

}  // namespace results
