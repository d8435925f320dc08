#include "sweeps/overrides.h"

#include <gtest/gtest.h>

#include <string>

#include "nn/input_error.h"
#include "sweeps/spec.h"

namespace sweeps {
namespace {

std::string refusal(const std::string& text) {
  try {
    parse_override(text);
  } catch (const nn::InputError& e) {
    EXPECT_EQ(e.file(), "--set");
    return e.what();
  }
  return "accepted";
}

TEST(Overrides, AnAnalysisSettingIsAccepted) {
  const Override o = parse_override("convergence.learned_below=0.3");
  EXPECT_EQ(o.key, "convergence.learned_below");
  EXPECT_EQ(o.value, "0.3");
  EXPECT_EQ(o.text(), "convergence.learned_below=0.3");
  EXPECT_EQ(parse_override("convergence.target=a=b").value, "a=b");  // the first = splits
}

TEST(Overrides, TrainingSettingsUnknownKeysAndMissingEqualsAreRefused) {
  EXPECT_NE(refusal("train.epochs=5").find("train.epochs is a training setting"),
            std::string::npos);
  EXPECT_NE(refusal("data.points=10").find("training setting"), std::string::npos);
  EXPECT_NE(refusal("convergence.nope=1").find("unknown setting 'convergence.nope'"),
            std::string::npos);
  EXPECT_NE(refusal("convergence.window").find("expected SETTING=VALUE"), std::string::npos);
  EXPECT_NE(refusal("=1").find("expected SETTING=VALUE"), std::string::npos);
  EXPECT_NE(refusal("").find("expected SETTING=VALUE"), std::string::npos);
}

TEST(Overrides, AppliedOverridesReachTheSweepAndLaterOnesWin) {
  const std::string spec = "name: s\nconvergence: { window: 0.2 }\n";
  const Override a = parse_override("convergence.window=0.3");
  const Override b = parse_override("convergence.learned_below=0.25");
  const Override c = parse_override("convergence.window=0.4");
  const std::vector<Override> all = {a, b, c};
  const Sweep sweep = parse_sweep(apply_overrides(spec, all, "m.yaml"), "m.yaml", ".");
  const nn::ConvergenceConfig rules = sweep.trial(0).config.convergence;
  EXPECT_EQ(rules.window, 0.4);
  EXPECT_EQ(rules.learned_below, 0.25);
}

TEST(Overrides, AValueTheSweepRefusesFailsWhenTheSweepIsParsed) {
  const std::vector<Override> bad = {parse_override("convergence.window=0.9")};
  const std::string text = apply_overrides("name: s\n", bad, "m.yaml");
  EXPECT_THROW(parse_sweep(text, "m.yaml", "."), nn::InputError);
  const std::vector<Override> not_yaml = {parse_override("convergence.window=[1")};
  EXPECT_THROW(apply_overrides("name: s\n", not_yaml, "m.yaml"), nn::InputError);
  EXPECT_THROW(apply_overrides("- a list\n", {}, "m.yaml"), nn::InputError);
}

}  // namespace
}  // namespace sweeps
