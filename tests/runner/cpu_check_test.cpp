#include "runner/cpu_check.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace runner::cpu {
namespace {

// What GCC's -mavx2 -mfma turn on, as runner/built_for.cpp lists it.
constexpr const char* kAvx2Fma = "sse3 ssse3 sse4.1 sse4.2 popcnt avx avx2 fma";

HasFeature cpu_with(std::set<std::string> features) {
  return [features](std::string_view f) { return features.count(std::string(f)) > 0; };
}

TEST(CpuCheck, ACpuWithEveryRequiredFeatureLacksNothing) {
  EXPECT_TRUE(missing(kAvx2Fma, cpu_with({"sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx",
                                          "avx2", "fma", "avx512f"}))
                  .empty());
}

TEST(CpuCheck, ACpuWithoutAvx2LacksAvx2AndFma) {
  const auto absent =
      missing(kAvx2Fma, cpu_with({"sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx"}));
  EXPECT_EQ(absent, (std::vector<std::string>{"avx2", "fma"}));
}

TEST(CpuCheck, APortableBuildRunsOnAnyCpu) {
  EXPECT_TRUE(missing("", cpu_with({})).empty());
  EXPECT_TRUE(missing("  ", cpu_with({})).empty());
}

TEST(CpuCheck, TheMessageNamesWhatTheFlagsAskedForAndHowToBuildPortably) {
  EXPECT_EQ(needs_message(kAvx2Fma, "-mavx2 -mfma"),
            "nnsweep: this build needs a CPU with AVX2 and FMA (built with -mavx2 -mfma); "
            "rebuild with -DNNSWEEP_ARCH_FLAGS=\"\" for a portable binary");
}

TEST(CpuCheck, TheMessageLeavesOutFeaturesImpliedByOthers) {
  EXPECT_EQ(
      needs_message("sse3 ssse3 sse4.1 sse4.2 popcnt avx avx2 avx512f avx512vl", "-mavx512vl"),
      "nnsweep: this build needs a CPU with AVX512VL (built with -mavx512vl); "
      "rebuild with -DNNSWEEP_ARCH_FLAGS=\"\" for a portable binary");
  EXPECT_EQ(needs_message(std::string(kAvx2Fma) + " bmi bmi2", "-march=x86-64-v3"),
            "nnsweep: this build needs a CPU with AVX2, FMA, BMI and BMI2 (built with "
            "-march=x86-64-v3); rebuild with -DNNSWEEP_ARCH_FLAGS=\"\" for a portable binary");
}

TEST(CpuCheck, AnUnknownFeatureIsNeverPresent) {
  EXPECT_FALSE(this_cpu_has("no-such-feature"));
  EXPECT_FALSE(this_cpu_has(""));
}

}  // namespace
}  // namespace runner::cpu
