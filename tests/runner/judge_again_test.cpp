#include "runner/judge_again.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nn/input_error.h"

namespace runner {
namespace {

TEST(JudgeAgain, OverridesKeepTheLastValueOfEachSettingInFirstSetOrder) {
  const std::vector<std::string> earlier = {"convergence.window=0.2", "convergence.stall=0.1"};
  const std::vector<sweeps::Override> added = {sweeps::parse_override("convergence.target=0.3"),
                                               sweeps::parse_override("convergence.window=0.4")};
  EXPECT_EQ(merge_overrides(earlier, added),
            (std::vector<std::string>{"convergence.window=0.4", "convergence.stall=0.1",
                                      "convergence.target=0.3"}));
  EXPECT_TRUE(merge_overrides({}, {}).empty());
}

TEST(JudgeAgain, TheSpecsConvergenceSettingsWithTheOverridesOnTop) {
  const std::vector<std::string> overrides = {"convergence.learned_below=0.25"};
  const nn::ConvergenceConfig rules =
      convergence_with("name: s\nconvergence: { window: 0.3 }\n", overrides, ".", "m.yaml");
  EXPECT_EQ(rules.window, 0.3);
  EXPECT_EQ(rules.learned_below, 0.25);
  try {
    const std::vector<std::string> bad = {"convergence.window=0.9"};
    convergence_with("name: s\n", bad, ".", "m.yaml");
    FAIL() << "window 0.9 was accepted";
  } catch (const nn::InputError& e) {
    EXPECT_EQ(e.file(), "--set");
    EXPECT_NE(std::string(e.what()).find("'convergence.window=0.9': "), std::string::npos)
        << e.what();
  }
  // What came from the command line is echoed escaped, never raw.
  try {
    const std::vector<std::string> bad = {"convergence.window=\x1b[31mred"};
    convergence_with("name: s\n", bad, ".", "m.yaml");
    FAIL() << "a window of text was accepted";
  } catch (const nn::InputError& e) {
    EXPECT_EQ(std::string(e.what()).find('\x1b'), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace runner
