// Command-line overrides of a sweep file (`nnsweep run SPEC KEY=VALUE ...`): what they change,
// and that every error about them names the argument and the column.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sweep_test_util.h"
#include "sweeps/overrides.h"

namespace sweeps {
namespace {

using testing::parse;

const char* kSweep =
    "name: base\n"
    "data: {dataset: circle, points: 100, split: {method: holdout}}\n"
    "train: {learning_rate: 0.03, epochs: 20}\n"
    "grid:\n"
    "  train.learning_rate: [0.001, 0.01]\n"
    "  model.activation: [relu, tanh]\n";

// The overrides as arguments 2, 3, ... of `nnsweep run s.yaml ...`.
LoadOptions with(const std::vector<std::string>& texts) {
  LoadOptions options;
  for (std::size_t i = 0; i < texts.size(); ++i)
    options.overrides.push_back(parse_spec_override(texts[i], static_cast<int>(i) + 2));
  return options;
}

std::string error_of(const std::vector<std::string>& texts, const std::string& sweep = kSweep) {
  try {
    parse(sweep, with(texts));
  } catch (const nn::InputError& e) {
    return e.describe();
  }
  return "no error";
}

TEST(SpecOverrides, ReplaceValuesAndAxesAndAddAxes) {
  const Sweep s = parse(kSweep, with({"train.epochs=50", "grid.train.learning_rate=[0.01,0.1,1]",
                                      "name=quick", "grid.train.batch_size=[4, 8]"}));
  EXPECT_EQ(s.name(), "quick");
  ASSERT_EQ(s.axes().size(), 3u);
  // A replaced axis keeps its place; a new one comes last.
  EXPECT_EQ(s.axes()[0].key, "train.learning_rate");
  EXPECT_EQ(s.axes()[0].values, (std::vector<std::string>{"0.01", "0.1", "1"}));
  EXPECT_EQ(s.axes()[1].key, "model.activation");
  EXPECT_EQ(s.axes()[2].key, "train.batch_size");
  EXPECT_EQ(s.size(), 12u);
  EXPECT_EQ(s.trial(0).config.train.epochs, 50);
}

TEST(SpecOverrides, TheResolvedSpecAndItsHashIncludeThem) {
  const Sweep plain = parse(kSweep), changed = parse(kSweep, with({"train.epochs=50"}));
  EXPECT_NE(plain.hash(), changed.hash());
  EXPECT_NE(changed.canonical_yaml().find("epochs: 50"), std::string::npos);
  // Overriding a value with the one the file has changes nothing.
  EXPECT_EQ(parse(kSweep, with({"train.epochs=20"})).hash(), plain.hash());
}

TEST(SpecOverrides, TheLastOfTwoOnOneKeyWins) {
  EXPECT_EQ(parse(kSweep, with({"train.epochs=5", "train.epochs=7"})).trial(0).config.train.epochs,
            7);
}

TEST(SpecOverrides, NestedAndDottedFieldsReachTheSameSetting) {
  // The file writes split as a nested map; the override descends into it.
  const Sweep s = parse(kSweep, with({"data.split.method=kfold", "data.split.folds=3"}));
  EXPECT_EQ(s.folds(), 3);
  // A top-level map the file does not have is made; a scalar is replaced by a map.
  EXPECT_EQ(parse(std::string(kSweep) + "curves: off\n", with({"curves.every=5"})).curves().every,
            5);
  EXPECT_EQ(parse(kSweep, with({"report.rows=model.activation"})).report().rows,
            "model.activation");
}

TEST(SpecOverrides, RandomKeysAreParametersOfRandomParams) {
  const Sweep s =
      parse(kSweep, with({"random.samples=4", "random.train.batch_size={int_uniform: [1, 30]}",
                          "random.params.data.noise={uniform: [0, 0.2]}"}));
  ASSERT_EQ(s.random_params().size(), 2u);
  EXPECT_EQ(s.random_params()[0].key, "train.batch_size");
  EXPECT_EQ(s.random_params()[1].key, "data.noise");
  EXPECT_EQ(s.counts().samples, 4u);
}

TEST(SpecOverrides, ExcludeIsReplacedWhole) {
  const Sweep s = parse(kSweep, with({"exclude=[{model.activation: tanh}]"}));
  EXPECT_EQ(s.counts().excluded, 2u);
  EXPECT_EQ(error_of({"exclude.model.activation=tanh"}),
            "<argument 2>:1:9: error: exclude is a list and is replaced whole: exclude=[{...}, "
            "...]");
}

TEST(SpecOverrides, NotesAboutTheirEntriesNameTheArgument) {
  const Sweep s =
      parse(kSweep, with({"include=[{model.activation: elu}, {model.activation: elu}]"}));
  EXPECT_EQ(s.collapse_notes(),
            std::vector<std::string>{"the include entry at <argument 2> column 35 gives the same "
                                     "trial as the one at <argument 2> column 10"});
}

TEST(SpecOverrides, ABadValueNamesTheArgumentAndColumn) {
  EXPECT_EQ(error_of({"train.epochs=50", "train.epochs=abc"}),
            "<argument 3>:1:14: error: train.epochs: expected an integer, got 'abc'");
  // Inside a list: the column of the item.
  EXPECT_EQ(error_of({"grid.train.learning_rate=[0.01, x]"}),
            "<argument 2>:1:33: error: train.learning_rate: expected a number, got 'x'");
  EXPECT_EQ(error_of({"train.epochs=[1, 2]"}).substr(0, 26), "<argument 2>:1:14: error: ");
  EXPECT_EQ(error_of({"train.epochs=[1"}).substr(0, 15), "<argument 2>:1:");
  EXPECT_EQ(error_of({"train.epochs=-3"}).substr(0, 26), "<argument 2>:1:14: error: ");
  EXPECT_EQ(error_of({"train.epochs="}), "<argument 2>:1:7: error: 'epochs' has no value");
}

TEST(SpecOverrides, AnUnknownKeyNamesTheArgumentAndColumn) {
  EXPECT_EQ(error_of({"train.epochz=5"}),
            "<argument 2>:1:7: error: unknown key 'epochz' in section 'train' (did you mean "
            "'epochs'?)");
  EXPECT_EQ(error_of({"nmae=x"}).substr(0, 49),
            "<argument 2>:1:1: error: unknown key 'nmae' (did ");
  EXPECT_EQ(error_of({"grid.train.learning_rat=[1]"}).substr(0, 25), "<argument 2>:1:6: error: ");
}

TEST(SpecOverrides, APerSweepSettingCannotBeAnAxis) {
  EXPECT_EQ(error_of({"grid.convergence.learned_below=[0.1, 0.2]"})
                .find("<argument 2>:1:6: error: convergence.learned_below is an analysis"),
            0u);
}

TEST(SpecOverrides, ValidationAfterMergingBlamesTheArgument) {
  // random.samples is checked with the whole random section, after the merge.
  EXPECT_EQ(error_of({"random.samples=4"}),
            "<argument 2>:1:1: error: random needs 'params', the settings to draw");
  EXPECT_EQ(error_of({"random.samples=0", "random.train.batch_size={int_uniform: [1, 3]}"}),
            "<argument 2>:1:16: error: random.samples must be >= 1, got 0");
  // A grid made huge on the command line is refused for its size.
  EXPECT_EQ(error_of({"max_trials=10", "grid.train.batch_size=[1,2,3,4,5,6,7,8]"})
                .find("<argument 3>:1:6: error: the sweep has 32 trials (grid 2 x 2 x 8, x 1 "
                      "repeats), more than max_trials 10"),
            0u);
}

TEST(SpecOverrides, TheFormIsCheckedFirst) {
  auto refusal = [](const std::string& text) {
    try {
      parse_spec_override(text, 4);
    } catch (const nn::InputError& e) {
      return e.describe();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal("train.epochs"),
            "<argument 4>:1:1: error: 'train.epochs' is not KEY=VALUE, e.g. train.epochs=50");
  EXPECT_EQ(refusal("=5"), "<argument 4>:1:1: error: the key before '=' is empty");
  EXPECT_EQ(refusal("train..epochs=5").substr(0, 26), "<argument 4>:1:7: error: '");
  EXPECT_EQ(refusal("train.epochs.=5").substr(0, 27), "<argument 4>:1:14: error: '");
  EXPECT_EQ(refusal("train.ep chs=5").substr(0, 27), "<argument 4>:1:9: error: 't");
  EXPECT_EQ(refusal("train.learning_rate=a=b"), "accepted");  // the first '=' splits
}

}  // namespace
}  // namespace sweeps
