#include "results/metric_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace results {
namespace {

bool is_epoch_count(std::string_view metric) {
  return metric == "epochs_to_target" || metric == "epochs_run" || metric == "stopped_epoch" ||
         metric == "best_epoch";
}

// Accuracies and F1 scores: shares from 0 to 1.
bool is_accuracy(std::string_view metric) {
  return metric.find("accuracy") != std::string_view::npos ||
         metric.find("macro_f1") != std::string_view::npos;
}

}  // namespace

std::string loss_text(double value) {
  return fmt::format("{:.4g}", value);
}

std::string accuracy_text(double value) {
  return fmt::format("{:.3f}", value);
}

std::string epochs_text(double value) {
  return fmt::format("{:g}", std::round(value * 10) / 10);
}

std::string metric_text(std::string_view metric, double value) {
  if (is_epoch_count(metric)) return epochs_text(value);
  if (is_accuracy(metric)) return accuracy_text(value);
  return loss_text(value);
}

std::string p_value_text(double value) {
  return value < 0.001 ? "< 0.001" : fmt::format("{:.2g}", value);
}

namespace {

// |v| in tenths, rounded as write_tenths says. REQUIRES |v| < 1e14.
std::uint64_t abs_tenths(double v) {
  const double a = std::fabs(v);
  const double p = a * 10, e = std::fma(a, 10, -p), floor = std::floor(p);
  const double above_half = (p - floor - 0.5) + e;
  const bool up = above_half > 0 || (above_half == 0 && std::fmod(floor, 2) != 0);
  return static_cast<std::uint64_t>(floor) + (up ? 1 : 0);
}

}  // namespace

std::int64_t tenths_of(double v) {
  const auto t = static_cast<std::int64_t>(abs_tenths(v));
  return std::signbit(v) ? -t : t;
}

char* write_tenths(char* out, char* end, double v) {
  if (!(std::fabs(v) < 1e14)) return std::to_chars(out, end, v, std::chars_format::fixed, 1).ptr;
  const std::uint64_t tenths = abs_tenths(v);
  if (std::signbit(v)) *out++ = '-';
  out = std::to_chars(out, end, tenths / 10).ptr;
  *out++ = '.';
  *out++ = static_cast<char>('0' + tenths % 10);
  return out;
}

std::string percent_text(std::uint64_t part, std::uint64_t whole) {
  auto rounded = static_cast<long>(
      std::lround(100.0 * static_cast<double>(part) / static_cast<double>(whole)));
  if (part > 0 && part < whole) rounded = std::clamp(rounded, 1L, 99L);
  return fmt::format("{}%", rounded);
}

}  // namespace results
