#include "sweeps/spec.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "sweep_test_util.h"
#include "sweeps/canonical.h"

namespace sweeps {
namespace {

using testing::error_of;
using testing::parse;

TEST(Spec, AThreeLineFileIsOneTrialWithDefaults) {
  const Sweep s = parse("name: tiny\ndata: {dataset: xor}\ntrain: {epochs: 10}\n");
  EXPECT_EQ(s.name(), "tiny");
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.repeats(), 1);
  EXPECT_EQ(s.seed(), 42u);
  const Trial t = s.trial(0);
  EXPECT_EQ(t.config.data.dataset, nn::DatasetKind::xor_);
  EXPECT_EQ(t.config.train.epochs, 10);
  EXPECT_EQ(t.config.train.learning_rate, nn::TrainConfig{}.learning_rate);
  EXPECT_EQ(t.id.size(), 16u);
  EXPECT_TRUE(s.curves().enabled);
  EXPECT_EQ(s.report().cell, "outcome");
}

const char* kGolden = R"(name: golden
seed: 7
repeats: 3
data: { dataset: spiral, points: 200, noise: 0.1 }
model: { hidden: [8, 4] }
train: { epochs: 30 }
grid:
  train.learning_rate: [0.01, 0.3]
  model.activation: [tanh, relu]
  train.epochs: [10, 30]
)";

// Ids and seeds name results on disk and reproduce trainings: within an id scheme
// (sweeps/canonical.h) they must never change.
TEST(Spec, KeepsTheIdsAndSeedsOfItsIdScheme) {
  ASSERT_EQ(kIdScheme, 3);
  const Sweep s = parse(kGolden);
  ASSERT_EQ(s.size(), 24u);
  const Trial first = s.trial(0), later = s.trial(13);
  EXPECT_EQ(first.id, "c32b8b869086bc10");
  EXPECT_EQ(first.seed, 18103574298800072780u);
  EXPECT_EQ(first.data_seed, 8233854123693772875u);
  EXPECT_EQ(later.id, "a000ffd206d4e8bb");
  // Cross-validated: the fold is part of the id; seeds stay those of the repeat.
  std::string text = kGolden;
  text.replace(text.find("noise: 0.1 }"), 12, "noise: 0.1, split: {method: kfold, folds: 3} }");
  const Sweep folds = parse(text);
  ASSERT_EQ(folds.size(), 72u);
  EXPECT_EQ(folds.trial(5).fold, 2);
  EXPECT_EQ(folds.trial(5).repeat, 1);
  EXPECT_EQ(folds.trial(5).id, "4d060b460afc5c05");
  EXPECT_EQ(later.seed, 13471315668191142738u);
  EXPECT_EQ(later.data_seed, 8233854123693772875u);
}

// Cross-validation: every configuration trains once per fold of every repeat.
const char* kFolds = R"(repeats: 2
data: { dataset: circle, points: 100, split: { method: kfold, folds: 4 } }
train: { epochs: 5 }
grid:
  train.learning_rate: [0.01, 0.1]
)";

TEST(Spec, AKFoldSweepTrainsEveryConfigurationOncePerFoldOfEveryRepeat) {
  const Sweep s = parse(kFolds);
  EXPECT_EQ(s.folds(), 4);
  ASSERT_EQ(s.size(), 16u);
  std::set<std::string> ids;
  for (std::uint64_t i = 0; i < s.size(); ++i) {
    const Trial t = s.trial(i);
    EXPECT_EQ(t.fold, static_cast<int>(i % 4));
    EXPECT_EQ(t.config.data.fold, t.fold);
    EXPECT_EQ(t.repeat, static_cast<int>(i / 4 % 2));
    ids.insert(t.id);
    // One fold assignment for the sweep; the folds of a repeat share its seed.
    EXPECT_EQ(t.data_seed, s.trial(0).data_seed);
    EXPECT_EQ(t.seed, s.trial(i - i % 4).seed);
  }
  EXPECT_EQ(ids.size(), 16u);
  EXPECT_NE(s.trial(0).training, s.trial(1).training) << "folds train on different data";
  EXPECT_NE(s.trial(0).seed, s.trial(4).seed) << "repeats draw new weights";
}

TEST(Spec, ResamplingDrawsANewSplitForEveryRepeat) {
  const Sweep same = parse(kFolds);
  const Sweep s = parse(
      "repeats: 3\ndata: {dataset: circle, points: 100, split: {resample: true}}\n"
      "train: {epochs: 5}\n");
  EXPECT_NE(s.trial(0).data_seed, s.trial(1).data_seed);
  EXPECT_NE(s.trial(1).data_seed, s.trial(2).data_seed);
  EXPECT_EQ(same.trial(0).data_seed, same.trial(5).data_seed);
}

TEST(Spec, TheSplitMayBeWrittenNestedOrDotted) {
  const Sweep nested = parse("data: {split: {method: kfold, folds: 3, stratify: false}}\n");
  const Sweep dotted =
      parse("data: {split.method: kfold, split.folds: 3, split.stratify: false}\n");
  EXPECT_EQ(nested.hash(), dotted.hash());
  EXPECT_EQ(nested.trial(0).id, dotted.trial(0).id);
  EXPECT_EQ(nested.trial(0).config.data.stratify, nn::Stratify::no);
}

TEST(Spec, TheFoldCountIsSetOnceNeverVaried) {
  EXPECT_EQ(error_of("grid:\n  data.split.folds: [3, 5]\n"),
            "s.yaml:2:3: error: data.split.folds decides how many trainings each configuration "
            "has, so it cannot vary in grid; set it once under 'data:'");
  EXPECT_EQ(error_of("grid:\n  data.split.method: [holdout, kfold]\n"),
            "s.yaml:2:3: error: data.split.method decides how many trainings each configuration "
            "has, so it cannot vary in grid; set it once under 'data:'");
  EXPECT_EQ(error_of("data: {split: {folds: 1, method: kfold}}\n"),
            error_of("data: {split: {folds: 1, method: kfold}}\n"));
  EXPECT_NE(error_of("data: {split: {folds: 1, method: kfold}}\n").find("data.split.folds"),
            std::string::npos);
  EXPECT_NE(error_of("data: {split: {method: kfould}}\n").find("kfold"), std::string::npos);
  EXPECT_NE(error_of("data: {split: {folds: 3, methd: kfold}}\n").find("unknown key 'methd'"),
            std::string::npos);
}

TEST(Spec, ACachedEnumerationGivesTheSameTrialsInAnyOrder) {
  const Sweep s = parse(kGolden);
  TrialCache cache;
  std::vector<std::uint64_t> order;
  for (std::uint64_t i = 0; i < s.size(); ++i) order.push_back(i);
  for (std::uint64_t i = s.size(); i-- > 0;) order.push_back(i);  // and backwards
  order.insert(order.end(), {5, 0, 23, 4, 4, 12});
  for (const std::uint64_t i : order) {
    const Trial cached = s.trial(i, cache), plain = s.trial(i);
    EXPECT_EQ(cached.index, plain.index);
    EXPECT_EQ(cached.repeat, plain.repeat);
    EXPECT_EQ(cached.id, plain.id) << i;
    EXPECT_EQ(cached.seed, plain.seed) << i;
    EXPECT_EQ(cached.data_seed, plain.data_seed) << i;
    EXPECT_EQ(cached.config, plain.config) << i;
    ASSERT_EQ(cached.params.size(), plain.params.size());
    for (std::size_t k = 0; k < plain.params.size(); ++k)
      EXPECT_EQ(cached.params[k].value, plain.params[k].value) << i;
  }
}

TEST(Spec, NamesTheSweepAfterItsFileByDefault) {
  EXPECT_EQ(parse_sweep("seed: 1\n", "dir/my sweep.yaml", ".").name(), "my-sweep");
}

TEST(Spec, GivesTheSameIdsWhateverTheFileOrderOrSpelling) {
  const Sweep a = parse("grid:\n  train.learning_rate: [0.1, 1]\n  model.activation: [relu]\n");
  const Sweep b = parse(
      "grid:\n  model.activation: [relu]\n  train.learning_rate: [1e-1, 1.0]\n"
      "model: {activation: tanh}\n");
  std::set<std::string> ids_a, ids_b;
  for (std::uint64_t i = 0; i < a.size(); ++i) ids_a.insert(a.trial(i).id);
  for (std::uint64_t i = 0; i < b.size(); ++i) ids_b.insert(b.trial(i).id);
  EXPECT_EQ(ids_a, ids_b);
}

// Paired comparisons: trials that differ only in rates, optimizer or epochs start from the same
// weights and see the same batches; repeats and networks of other shapes do not.
TEST(Spec, SharesTheSeedBetweenTrialsThatDifferOnlyInTrainingSettings) {
  const Sweep s = parse(
      "repeats: 2\ngrid:\n  train.learning_rate: [0.1, 1]\n"
      "  train.epochs: [50, 200]\n");
  const Trial t50 = s.trial(0), t50r1 = s.trial(1), t200 = s.trial(2), other_lr = s.trial(4);
  EXPECT_EQ(t50.config.train.epochs, 50);
  EXPECT_EQ(t200.config.train.epochs, 200);
  EXPECT_EQ(t50.seed, t200.seed);
  EXPECT_NE(t50.id, t200.id);
  EXPECT_NE(t50.seed, t50r1.seed);
  EXPECT_EQ(t50.seed, other_lr.seed);
  EXPECT_NE(t50.id, other_lr.id);
  EXPECT_EQ(t50.training, t200.training);  // epoch siblings
  EXPECT_NE(t50.training, other_lr.training);
  EXPECT_NE(t50.training, t50r1.training);
  EXPECT_NE(t50.seed, parse("model: {hidden: [3]}\nrepeats: 2\ngrid:\n  train.learning_rate: "
                            "[0.1, 1]\n  train.epochs: [50, 200]\n")
                          .trial(0)
                          .seed);
  EXPECT_EQ(t50.data_seed, t50r1.data_seed);
  EXPECT_EQ(t50.data_seed, other_lr.data_seed);
  EXPECT_NE(s.trial(0).seed, parse("seed: 1\n"
                                   "repeats: 2\ngrid:\n  train.learning_rate: "
                                   "[0.1, 1]\n  train.epochs: [50, 200]\n")
                                 .trial(0)
                                 .seed);
}

TEST(Spec, ListsParamsInOneOrderWithoutCsvColumnsForBuiltInData) {
  const Sweep s = parse("grid: {train.learning_rate: [0.1]}\n");
  const auto& keys = s.param_keys();
  EXPECT_EQ(keys.front(), "data.dataset");
  EXPECT_EQ(std::count(keys.begin(), keys.end(), "data.path"), 0);
  const auto params = s.params(s.trial(0).config);
  ASSERT_EQ(params.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(params[i].key, keys[i]);
}

TEST(Spec, ResolvesCsvPathsButWritesThemAsGiven) {
  const Sweep s = parse("data: {dataset: csv, path: ./data/../data/iris.csv, target: species}\n");
  const Trial t = s.trial(0);
  EXPECT_TRUE(std::filesystem::path(t.config.data.path).is_absolute());
  EXPECT_TRUE(std::filesystem::exists(t.config.data.path));
  std::string written;
  for (const Param& p : s.params(t.config))
    if (p.key == "data.path") written = p.value;
  EXPECT_EQ(written, "data/iris.csv");
  EXPECT_EQ(std::count(s.param_keys().begin(), s.param_keys().end(), "data.points"), 0);
}

TEST(Spec, HashesTheResolvedSpecNotItsSpelling) {
  const Sweep a = parse("train: {learning_rate: 0.1, epochs: 10}\n");
  const Sweep b = parse("train:\n  epochs: 10\n  learning_rate: 1e-1\n");
  const Sweep c = parse("train: {learning_rate: 0.2, epochs: 10}\n");
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_NE(a.hash(), c.hash());
  EXPECT_NE(a.canonical_yaml().find("  learning_rate: 0.1\n"), std::string::npos);
}

TEST(Spec, CanonicalYamlReadsBackToTheSameSweep) {
  const Sweep a = parse(
      "repeats: 2\ngrid: {model.hidden: [[8, 8], []], train.epochs: [5, 10]}\n"
      "exclude: [{model.hidden: [], train.epochs: 5}]\n"
      "include: [{model.activation: relu, model.hidden: [8, 8]}]\n"
      "random: {samples: 2, params: {train.learning_rate: {log_uniform: [0.001, 1]}}}\n"
      "curves: {every: 5}\n");
  const Sweep b = parse(a.canonical_yaml());
  EXPECT_EQ(a.hash(), b.hash());
  ASSERT_EQ(a.size(), b.size());
  for (std::uint64_t i = 0; i < a.size(); ++i) EXPECT_EQ(a.trial(i).id, b.trial(i).id);
}

TEST(Spec, ReadsCurvesAndReport) {
  EXPECT_FALSE(parse("curves: off\n").curves().enabled);
  EXPECT_EQ(parse("curves: {every: 10}\n").curves().every, 10);
  const Sweep s =
      parse("report: {rows: train.batch_size, cols: train.epochs, cell: success_rate}\n");
  EXPECT_EQ(s.report().rows, "train.batch_size");
  EXPECT_EQ(s.report().cell, "success_rate");
}

TEST(Spec, RefusesUnknownKeysWithASuggestion) {
  EXPECT_EQ(error_of("gird:\n  train.epochs: [1]\n"),
            "s.yaml:1:1: error: unknown key 'gird' (did you mean 'grid'?)");
  EXPECT_EQ(error_of("learning_rate: 0.1\n"),
            "s.yaml:1:1: error: unknown key 'learning_rate' (did you mean 'learning_rate' inside "
            "'train:'?)");
  EXPECT_EQ(error_of("train.learning_rate: 0.1\n"),
            "s.yaml:1:1: error: unknown key 'train.learning_rate' (settings go inside their "
            "section: 'train:' then 'learning_rate:')");
  EXPECT_EQ(error_of("train:\n  learning_rat: 0.1\n"),
            "s.yaml:2:3: error: unknown key 'learning_rat' in section 'train' (did you mean "
            "'learning_rate'?)");
  EXPECT_EQ(error_of("grid:\n  train.learnig_rate: [0.1]\n"),
            "s.yaml:2:3: error: unknown setting 'train.learnig_rate' in grid (did you mean "
            "'train.learning_rate'?)");
  EXPECT_EQ(error_of("report: {cell: epochs}\n"),
            "s.yaml:1:16: error: unknown report.cell 'epochs'; valid: outcome, epochs_to_target, "
            "success_rate, final_train_loss, final_val_loss, final_test_loss, best_train_loss, "
            "best_val_loss, final_train_accuracy, final_val_accuracy, final_test_accuracy, "
            "best_val_accuracy, final_val_balanced_accuracy, final_test_balanced_accuracy, "
            "final_val_macro_f1, final_test_macro_f1, wall_seconds");
}

TEST(Spec, RefusesBadGridAxes) {
  EXPECT_EQ(error_of("grid:\n  train: {learning_rate: [0.1]}\n"),
            "s.yaml:2:3: error: grid keys are dotted settings like 'train.optimizer', got 'train'");
  EXPECT_EQ(error_of("grid:\n  train.learning_rate: []\n"),
            "s.yaml:2:24: error: grid axis train.learning_rate has no values");
  EXPECT_EQ(error_of("grid:\n  train.learning_rate: 0.1\n"),
            "s.yaml:2:24: error: grid axis train.learning_rate must be a list of values, got "
            "'0.1'");
  EXPECT_EQ(error_of("grid:\n  model.hidden: [8, 8]\n"),
            "s.yaml:2:18: error: grid axis model.hidden takes a list of lists, e.g. [[8, 8], "
            "[4]], got '8'");
  EXPECT_EQ(error_of("grid:\n  train.learning_rate: [0.1, 1e-1]\n"),
            "s.yaml:2:30: error: grid axis train.learning_rate lists the value '0.1' twice");
}

TEST(Spec, RefusesExcludeOfWhatIsNotAnAxis) {
  EXPECT_EQ(error_of("grid:\n  train.learning_rate: [0.1, 1]\nexclude:\n"
                     "  - {model.activation: relu}\n"),
            "s.yaml:4:6: error: exclude can only name grid axes, and 'model.activation' is not "
            "one (axes: train.learning_rate)");
  EXPECT_EQ(error_of("grid:\n  train.learning_rate: [0.1, 1]\nexclude:\n"
                     "  - {train.learning_rate: 3}\n"),
            "s.yaml:4:27: error: exclude: '3' is not a value of axis train.learning_rate (values: "
            "'0.1, 1')");
  EXPECT_EQ(error_of("grid:\n  train.learning_rate: [0.1, 1]\nexclude:\n"
                     "  - {train.learning_rate: 0.1}\n  - {train.learning_rate: 1}\n"),
            "s.yaml:4:5: error: the sweep has no trials: exclude removes every combination");
}

TEST(Spec, CountsIncludeEntriesThatGiveTheSameTrialOnce) {
  const Sweep s = parse(
      "include:\n  - {train.learning_rate: 0.1}\n  - {train.learning_rate: 0.1}\n"
      "  - {train.learning_rate: 0.1, train.momentum: 0.5}\n");  // momentum: not with sgd
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.collapse_notes(),
            (std::vector<std::string>{
                "the include entry at line 3 gives the same trial as the one at line 2",
                "the include entry at line 4 gives the same trial as the one at line 2"}));
}

TEST(Spec, RefusesASweepLargerThanMaxTrialsWithItsSize) {
  const std::string text =
      "repeats: 10\ngrid:\n  train.learning_rate: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
      "  train.epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
  EXPECT_EQ(error_of(text + "max_trials: 500\n"),
            "s.yaml:2:1: error: the sweep has 1000 trials (grid 10 x 10, x 10 repeats), more "
            "than max_trials 500; raise max_trials if you mean it");
  LoadOptions options;
  options.max_trials = 999;
  EXPECT_EQ(error_of(text + "max_trials: 5000\n", options),
            "s.yaml:2:1: error: the sweep has 1000 trials (grid 10 x 10, x 10 repeats), more "
            "than max_trials 999; raise max_trials if you mean it");
  EXPECT_EQ(error_of(text), "no error");
}

TEST(Spec, RefusesBadTopLevelValues) {
  EXPECT_EQ(error_of("repeats: 0\n"),
            "s.yaml:1:10: error: repeats must be a whole number from 1 to 1000000, got 0");
  EXPECT_EQ(error_of("curves: sometimes\n"),
            "s.yaml:1:9: error: curves must be off, on or {every: K}, got 'sometimes'");
  EXPECT_EQ(error_of("name: my sweep\n"),
            "s.yaml:1:7: error: name 'my sweep' must be 1-100 letters, digits, '-', '_' or '.' "
            "(it names the output folder), not starting with '.'");
}

TEST(Spec, RefusesBadRandomSearches) {
  EXPECT_EQ(error_of("grid: {train.learning_rate: [0.1]}\n"
                     "random: {samples: 3, params: {train.learning_rate: {uniform: [0.1, 1]}}}\n"),
            "s.yaml:2:31: error: train.learning_rate is a grid axis; it cannot also be drawn at "
            "random");
  EXPECT_EQ(error_of("random: {samples: 3, params: {train.learning_rate: {uniform: [-1, 1]}}}\n"),
            "s.yaml:1:63: error: train.learning_rate must be > 0, got -1");
  EXPECT_EQ(error_of("random: {samples: 3, params: {train.batch_size: {uniform: [1, 10]}}}\n"),
            "s.yaml:1:50: error: uniform draws real numbers but train.batch_size takes whole "
            "numbers (int_uniform)");
  EXPECT_EQ(error_of("random: {samples: 5, params: {train.optimizer: {choice: [sgd, adam]}}}\n"),
            "s.yaml:1:19: error: random: the distributions hold only 2 distinct samples (real "
            "numbers are drawn to 6 significant digits), fewer than the 5 asked for; ask for "
            "fewer samples or widen the ranges");
  // Real numbers too: [0.01, 0.1] holds 900001 numbers of 6 significant digits. Refused at
  // once, not after drawing for a minute.
  EXPECT_EQ(error_of("random: {samples: 1000000, params: {train.learning_rate: {uniform: [0.01, "
                     "0.1]}}}\n"),
            "s.yaml:1:19: error: random: the distributions hold only 900001 distinct samples "
            "(real numbers are drawn to 6 significant digits), fewer than the 1000000 asked for; "
            "ask for fewer samples or widen the ranges");
  EXPECT_EQ(error_of("random: {samples: 30, params: {train.batch_size: {int_uniform: [1, 5]}, "
                     "model.activation: {choice: [relu, tanh, sigmoid, linear]}}}\n"),
            "s.yaml:1:19: error: random: the distributions hold only 20 distinct samples (real "
            "numbers are drawn to 6 significant digits), fewer than the 30 asked for; ask for "
            "fewer samples or widen the ranges");
  EXPECT_EQ(error_of("random: {samples: 3, params: {train.regularization_rate: {uniform: [0, "
                     "0.0]}}}\n"),
            "s.yaml:1:68: error: random.params.train.regularization_rate.uniform: a range of real "
            "numbers "
            "needs two different ends (for a fixed value, set it in the base configuration)");
  EXPECT_EQ(error_of("random: {samples: 5, params: {train.epochs: {normal: [1, 2]}}}\n"),
            "s.yaml:1:46: error: unknown key 'normal' in random.params.train.epochs; valid: "
            "uniform, log_uniform, int_uniform, choice");
}

TEST(Spec, LoadsFromAFileAndResolvesPathsAgainstItsFolder) {
  const auto file = testing::test_data_dir() / "iris.yaml";
  const Sweep s = load_sweep(file);
  EXPECT_EQ(s.file(), file);
  EXPECT_EQ(std::filesystem::path(s.trial(0).config.data.path),
            (testing::test_data_dir() / "data" / "iris.csv").lexically_normal());
  EXPECT_THROW(load_sweep(testing::test_data_dir() / "missing.yaml"), nn::InputError);
}

TEST(Spec, ChecksALongAxisForRepeatsInLinearTime) {
  std::string text = "max_trials: 100000\ngrid:\n  train.learning_rate: [";
  for (int i = 0; i < 60'000; ++i) text += (i ? ", " : "") + std::to_string(i + 1) + "e-6";
  const auto start = std::chrono::steady_clock::now();
  const Sweep s = parse(text + "]\n");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(s.size(), 60'000u);
  // The pairwise check took 4.7 s for 40,000 values (about 10 s for these); the hashed one
  // about 1 s on a quiet machine, leaving room for a busy one.
  EXPECT_LT(seconds, 5.0);
}

TEST(Spec, RefusesSizesBeyondTheirCapsWithTheSizeAndTheCap) {
  EXPECT_EQ(error_of("model: {hidden: [1000000, 1000000]}\n"),
            "s.yaml:1:18: error: model.hidden: a layer width of 1000000 is more than the cap of "
            "4096 (README, \"Limits\")");
  EXPECT_EQ(error_of("data: {points: 2000000000}\n"),
            "s.yaml:1:16: error: data.points is 2000000000, more than the cap of 10000000 "
            "(README, \"Limits\")");
  EXPECT_EQ(error_of("train: {epochs: 1000000000}\n"),
            "s.yaml:1:17: error: train.epochs is 1000000000, more than the cap of 1000000 "
            "(README, \"Limits\")");
}

TEST(Spec, DataTaskAtItsDefaultKeepsTheIds) {
  const std::string csv = "seed: 3\ndata: {dataset: csv, path: data/iris.csv, target: species";
  const Sweep plain = parse(csv + "}\n");
  const Sweep said = parse(csv + ", task: auto}\n");
  const Sweep other = parse(csv + ", task: classification}\n");
  EXPECT_EQ(plain.trial(0).id, said.trial(0).id);
  EXPECT_NE(plain.trial(0).id, other.trial(0).id);
  // Built-in data has no target column to read: the setting does not apply there.
  EXPECT_EQ(parse("seed: 3\n").trial(0).id,
            parse("seed: 3\ndata: {task: classification}\n").trial(0).id);
}

}  // namespace
}  // namespace sweeps
