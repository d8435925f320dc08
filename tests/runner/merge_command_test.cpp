// `nnsweep merge`: which shard directories merge, and the rows the merged directory gets.
#include "runner/merge_command.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "nn/input_error.h"
#include "results/atomic_file.h"
#include "results/curves.h"
#include "results/manifest.h"
#include "results/trial_record.h"
#include "scratch_dir.h"
#include "sweeps/canonical.h"

namespace runner {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kKeys = {"train.learning_rate"};

class Merge : public testing_support::ScratchDir {
 protected:
  // A shard of a sweep of `total` trials holding the rows of `indices`, made by a build and a
  // sweep file that `edit` may change.
  std::string shard(const std::string& name, std::vector<std::uint64_t> indices,
                    const std::function<void(results::Manifest&)>& edit = {},
                    std::uint64_t total = 4) {
    const fs::path dir = dir_ / name;
    fs::create_directories(dir);
    results::Manifest m;
    m.id_scheme = sweeps::kIdScheme;
    m.spec_yaml = "name: merged\nreport: {rows: train.learning_rate, cols: repeat}\n";
    m.spec_hash = "00000000000000aa";
    m.compiler = "GNU 12.2.0";
    m.compiler_flags = "-O2";
    m.eigen = "3.4.0";
    m.version = "1.0";
    m.sweep_trials = total;
    m.trials_total = indices.size();
    if (edit) edit(m);
    results::replace_file(dir, "manifest.yaml", results::format_manifest(m));
    std::string rows = results::format_trials_header(kKeys);
    for (std::uint64_t i : indices)
      rows += results::format_trial_row(results::make_error_record(
          i, fmt::format("{:016x}", i), 0, i, {{"train.learning_rate", "0.1"}}, "failed", 0));
    results::replace_file(dir, "trials.csv", rows);
    results::replace_file(dir, "curves.csv", results::format_curves_header());
    return dir.string();
  }

  // "FILE:LINE:COL: error: message" of what `fn` throws, or "no error".
  template <typename Fn>
  static std::string error_of(Fn fn) {
    try {
      fn();
    } catch (const nn::InputError& e) {
      return e.describe();
    }
    return "no error";
  }
};

TEST_F(Merge, ShardsOfOneSweepAndOneBuildGiveTheirManifestsInOrder) {
  const std::vector<std::string> dirs = {shard("a", {0, 1}), shard("b", {2, 3})};
  const auto infos = read_shard_manifests(dirs);
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos[0].sweep_trials, 4u);
  EXPECT_EQ(infos[1].spec_hash, "00000000000000aa");
}

TEST_F(Merge, RefusesADirectoryWithoutAManifest) {
  const std::string a = shard("a", {0, 1});
  fs::create_directories(dir_ / "empty");
  const std::string empty = (dir_ / "empty").string();
  EXPECT_EQ(error_of([&] {
              read_shard_manifests({a, empty});
            }),
            empty + ": error: no manifest.yaml: not an nnsweep output directory");
}

TEST_F(Merge, RefusesShardsOfAnotherSweepFile) {
  const std::string a = shard("a", {0, 1});
  const std::string b =
      shard("b", {2, 3}, [](results::Manifest& m) { m.spec_hash = "00000000000000bb"; });
  EXPECT_EQ(error_of([&] {
              read_shard_manifests({a, b});
            }),
            b + ": error: comes from a different sweep file (spec hash 00000000000000bb) than " +
                a + " (spec hash 00000000000000aa); shards of one sweep can be merged only");
}

TEST_F(Merge, RefusesShardsOfBuildsWhoseArithmeticDiffers) {
  const std::string a = shard("a", {0, 1});
  const std::string b = shard("b", {2, 3}, [](results::Manifest& m) { m.eigen = "3.3.9"; });
  EXPECT_EQ(error_of([&] {
              read_shard_manifests({a, b});
            }),
            b + ": error: was made by a build whose Eigen version ('3.3.9') differs from " + a +
                "'s ('3.4.0'): their rows could differ in the last bits, so they are not one "
                "run's; run every shard with one build");
}

TEST_F(Merge, RefusesAShardOfAnotherIdScheme) {
  const std::string a = shard("a", {0, 1}, [](results::Manifest& m) { m.id_scheme = 1; });
  EXPECT_EQ(error_of([&] { read_shard_manifests({a}); }),
            a + fmt::format(": error: was made by an nnsweep whose trial ids and seeds differ "
                            "from this one's (id scheme 1 there, {} here); run that shard again",
                            sweeps::kIdScheme));
}

TEST_F(Merge, EveryTrialOnceGivesTheParameterColumns) {
  const std::vector<std::string> dirs = {shard("a", {0, 1}), shard("b", {3, 2})};
  EXPECT_EQ(check_every_trial_once(dirs, 4), kKeys);
}

TEST_F(Merge, NamesTheTrialsFoundTwiceAndThoseFoundNowhere) {
  const std::vector<std::string> dirs = {shard("a", {0, 1, 2}, {}, 9), shard("b", {2, 3}, {}, 9)};
  EXPECT_EQ(error_of([&] { check_every_trial_once(dirs, 9); }),
            "error: cannot merge: trials in more than one directory: 2\n"
            "trials in no directory (a shard missing or unfinished?): 4-8");
}

TEST_F(Merge, ListsEightRunsOfMissingTrialsAtMost) {
  std::vector<std::uint64_t> even;
  for (std::uint64_t i = 0; i < 40; i += 2) even.push_back(i);
  const std::vector<std::string> dirs = {shard("a", even, {}, 40)};
  EXPECT_EQ(error_of([&] { check_every_trial_once(dirs, 40); }),
            "error: cannot merge: trials in no directory (a shard missing or unfinished?): "
            "1, 3, 5, 7, 9, 11, 13, 15, ...");
}

TEST_F(Merge, RefusesATrialBeyondTheSweep) {
  const std::vector<std::string> dirs = {shard("a", {0, 1, 7})};
  EXPECT_EQ(error_of([&] { check_every_trial_once(dirs, 4); }),
            (fs::path(dirs[0]) / "trials.csv").string() +
                ": error: trial 7 is beyond the sweep's 4 trials");
}

TEST_F(Merge, TheMergedRowsAreTheShardsRowsInDirectoryOrder) {
  const std::vector<std::string> dirs = {shard("b", {2, 3}), shard("a", {0, 1})};
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  write_merged_rows(dirs, kKeys, out);
  const std::string a = read(fs::path(dirs[1]) / "trials.csv");
  const std::string b = read(fs::path(dirs[0]) / "trials.csv");
  const std::string header = results::format_trials_header(kKeys);
  EXPECT_EQ(read(out / "trials.csv"), b + a.substr(header.size()));
  EXPECT_EQ(read(out / "curves.csv"), results::format_curves_header());
}

TEST_F(Merge, TheMergedManifestIsTheSweepsWithEveryTrial) {
  const auto infos =
      read_shard_manifests({shard("a", {0, 1}, [](results::Manifest& m) { m.shard = "0/2"; })});
  const results::Manifest m = merged_manifest(infos.front(), 4);
  EXPECT_EQ(m.spec_hash, "00000000000000aa");
  EXPECT_EQ(m.compiler, "GNU 12.2.0");
  EXPECT_EQ(m.eigen, "3.4.0");
  EXPECT_EQ(m.id_scheme, sweeps::kIdScheme);
  EXPECT_EQ(m.sweep_trials, 4u);
  EXPECT_EQ(m.trials_total, 4u);
  EXPECT_TRUE(m.shard.empty());
  EXPECT_TRUE(m.finished.has_value());
}

}  // namespace
}  // namespace runner
