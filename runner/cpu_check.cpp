#include "runner/cpu_check.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace runner::cpu {
namespace {

// Which feature a compiler flag for the first turns on with it (GCC's -m flags), to name only
// what the flags asked for.
constexpr std::pair<std::string_view, std::string_view> kImplies[] = {
    {"ssse3", "sse3"},       {"sse4.1", "ssse3"},     {"sse4.2", "sse4.1"},
    {"sse4.2", "popcnt"},    {"avx", "sse4.2"},       {"avx2", "avx"},
    {"fma", "avx"},          {"avx512f", "avx2"},     {"avx512cd", "avx512f"},
    {"avx512bw", "avx512f"}, {"avx512dq", "avx512f"}, {"avx512vl", "avx512f"},
};

bool implies(std::string_view feature, std::string_view other) {
  for (const auto& [from, to] : kImplies)
    if (from == feature && (to == other || implies(to, other))) return true;
  return false;
}

std::vector<std::string> split(std::string_view list) {
  std::vector<std::string> words;
  std::size_t at = 0;
  while (at < list.size()) {
    const std::size_t end = std::min(list.find(' ', at), list.size());
    if (end > at) words.emplace_back(list.substr(at, end - at));
    at = end + 1;
  }
  return words;
}

std::string upper(std::string word) {
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word;
}

}  // namespace

std::vector<std::string> missing(std::string_view required, const HasFeature& has) {
  std::vector<std::string> absent;
  for (std::string& feature : split(required))
    if (!has(feature)) absent.push_back(std::move(feature));
  return absent;
}

bool this_cpu_has(std::string_view feature) {
#if defined(__x86_64__) || defined(__i386__)
  // __builtin_cpu_supports takes only literals: one row per name that GCC and Clang both know.
  struct Probe {
    std::string_view name;
    bool (*present)();
  };
  static constexpr Probe kProbes[] = {
      {"sse3", [] { return __builtin_cpu_supports("sse3") != 0; }},
      {"ssse3", [] { return __builtin_cpu_supports("ssse3") != 0; }},
      {"sse4.1", [] { return __builtin_cpu_supports("sse4.1") != 0; }},
      {"sse4.2", [] { return __builtin_cpu_supports("sse4.2") != 0; }},
      {"popcnt", [] { return __builtin_cpu_supports("popcnt") != 0; }},
      {"avx", [] { return __builtin_cpu_supports("avx") != 0; }},
      {"avx2", [] { return __builtin_cpu_supports("avx2") != 0; }},
      {"fma", [] { return __builtin_cpu_supports("fma") != 0; }},
      {"bmi", [] { return __builtin_cpu_supports("bmi") != 0; }},
      {"bmi2", [] { return __builtin_cpu_supports("bmi2") != 0; }},
      {"avx512f", [] { return __builtin_cpu_supports("avx512f") != 0; }},
      {"avx512cd", [] { return __builtin_cpu_supports("avx512cd") != 0; }},
      {"avx512bw", [] { return __builtin_cpu_supports("avx512bw") != 0; }},
      {"avx512dq", [] { return __builtin_cpu_supports("avx512dq") != 0; }},
      {"avx512vl", [] { return __builtin_cpu_supports("avx512vl") != 0; }},
  };
  // Before the constructors have run, the CPU model must be read here (GCC's documentation).
  __builtin_cpu_init();
  for (const Probe& p : kProbes)
    if (p.name == feature) return p.present();
#else
  (void)feature;
#endif
  return false;
}

std::string needs_message(std::string_view required, std::string_view flags) {
  const std::vector<std::string> features = split(required);
  std::vector<std::string> named;
  for (const std::string& f : features)
    if (std::none_of(features.begin(), features.end(),
                     [&](const std::string& other) { return implies(other, f); }))
      named.push_back(upper(f));
  std::string list;
  for (std::size_t i = 0; i < named.size(); ++i) {
    if (i > 0) list += i + 1 == named.size() ? " and " : ", ";
    list += named[i];
  }
  return "nnsweep: this build needs a CPU with " + list + " (built with " + std::string(flags) +
         "); rebuild with -DNNSWEEP_ARCH_FLAGS=\"\" for a portable binary";
}

}  // namespace runner::cpu
