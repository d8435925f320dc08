#include "results/manifest.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <fstream>

#include "nn/input_error.h"
#include "scratch_dir.h"

namespace results {
namespace {

Manifest example() {
  Manifest m;
  m.spec_yaml = "name: lr-vs-activation\nseed: 42\ngrid:\n  train.learning_rate: [0.01, 0.1]\n";
  m.spec_hash = "0123456789012345";  // all digits: must stay a string
  m.version = "0.1.0";
  m.git_revision = "abcdef012345";
  m.compiler = "GNU 12.2.0";
  m.compiler_flags = "-O3 -DNDEBUG";
  m.threads = 4;
  m.host = "lab-7";
  m.started = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + std::chrono::hours{12} +
              std::chrono::seconds{3};
  m.finished = m.started + std::chrono::minutes{2};
  m.trials_total = 10;
  m.counts.n = {6, 2, 0, 0, 0, 0, 1, 1, 0};  // learned, still_learning, ..., diverged, error
  return m;
}

TEST(Manifest, TimesAreIso8601Utc) {
  EXPECT_EQ(format_utc(example().started), "2024-05-01T12:00:03Z");
}

TEST(Manifest, RecordsWhatProducedTheRun) {
  const YAML::Node root = YAML::Load(format_manifest(example()));
  EXPECT_EQ(root["nnsweep_version"].as<std::string>(), "0.1.0");
  EXPECT_EQ(root["git_revision"].as<std::string>(), "abcdef012345");
  EXPECT_EQ(root["threads"].as<int>(), 4);
  EXPECT_EQ(root["host"].as<std::string>(), "lab-7");
  EXPECT_EQ(root["started"].as<std::string>(), "2024-05-01T12:00:03Z");
  EXPECT_EQ(root["finished"].as<std::string>(), "2024-05-01T12:02:03Z");
  EXPECT_EQ(root["trials"]["total"].as<int>(), 10);
  EXPECT_EQ(root["trials"]["done"].as<int>(), 10);
  EXPECT_EQ(root["trials"]["diverged"].as<int>(), 1);
  EXPECT_EQ(root["trials"]["learned"].as<int>(), 6);
  EXPECT_EQ(root["id_scheme"].as<int>(), 0);  // example() leaves it unset
  EXPECT_EQ(root["spec"]["seed"].as<int>(), 42);
  EXPECT_EQ(root["spec"]["grid"]["train.learning_rate"][1].as<std::string>(), "0.1");
}

TEST(Manifest, DigitOnlyHashIsQuoted) {
  EXPECT_NE(format_manifest(example()).find("spec_hash: \"0123456789012345\""), std::string::npos);
}

TEST(Manifest, UnfinishedRunHasNullEnd) {
  Manifest m = example();
  m.finished.reset();
  m.git_revision.clear();
  const YAML::Node root = YAML::Load(format_manifest(m));
  EXPECT_TRUE(root["finished"].IsNull());
  EXPECT_TRUE(root["git_revision"].IsNull());
}

TEST(Manifest, SpecThatIsNotAMappingIsKeptAsText) {
  Manifest m = example();
  m.spec_yaml = "just: [unbalanced";
  const YAML::Node root = YAML::Load(format_manifest(m));
  EXPECT_EQ(root["spec"].as<std::string>(), "just: [unbalanced\n");
}

TEST(Manifest, SpecHashReadsBack) {
  EXPECT_EQ(read_manifest_info(format_manifest(example()), "manifest.yaml").spec_hash,
            "0123456789012345");
}

TEST(Manifest, HistoryOfSpecsReadsBackAndIsAbsentUntilExtended) {
  Manifest m = example();
  EXPECT_EQ(format_manifest(m).find("history"), std::string::npos);
  m.history = {{.spec_hash = "0000000000000001", .time = "2024-05-01T12:00:03Z", .trained = 8},
               {.spec_hash = "00000000000000ab",
                .time = "2024-05-02T09:30:00Z",
                .kept = 6,
                .trained = 4,
                .retired = 2}};
  const ManifestInfo info = read_manifest_info(format_manifest(m), "manifest.yaml");
  ASSERT_EQ(info.history.size(), 2u);
  EXPECT_EQ(info.history[0].spec_hash, "0000000000000001");
  EXPECT_EQ(info.history[0].time, "2024-05-01T12:00:03Z");
  EXPECT_EQ(info.history[0].trained, 8u);
  EXPECT_EQ(info.history[1].spec_hash, "00000000000000ab");
  EXPECT_EQ(info.history[1].kept, 6u);
  EXPECT_EQ(info.history[1].trained, 4u);
  EXPECT_EQ(info.history[1].retired, 2u);
  EXPECT_EQ(info.started, "2024-05-01T12:00:03Z");
  // Judging again (report --set) edits the manifest's lines and keeps the history.
  const ManifestInfo judged =
      read_manifest_info(with_judged_with(format_manifest(m), {"convergence.stall=0.1"}), "m");
  EXPECT_EQ(judged.history.size(), 2u);
  EXPECT_EQ(judged.judged_with, std::vector<std::string>{"convergence.stall=0.1"});
}

TEST(Manifest, ReadingSomethingElseIsAnInputError) {
  EXPECT_THROW(read_manifest_info("name: x\n", "manifest.yaml"), nn::InputError);
  try {
    read_manifest_info("a: [1,\n", "manifest.yaml");
    FAIL();
  } catch (const nn::InputError& e) {
    EXPECT_EQ(e.file(), "manifest.yaml");
    EXPECT_GT(e.line(), 0);
  }
}

class ManifestDir : public testing_support::ScratchDir {};

TEST_F(ManifestDir, ADirectoryWithoutManifestHasNone) {
  EXPECT_FALSE(read_manifest(dir_));
}

TEST_F(ManifestDir, ReadsBackWhatARunWrote) {
  Manifest m = example();
  m.id_scheme = 3;
  m.spec_yaml += "report: {rows: train.learning_rate, cell: outcome}\n";
  std::ofstream(dir_ / "manifest.yaml") << format_manifest(m);
  const std::optional<ManifestInfo> info = read_manifest(dir_);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->output_format, kOutputFormat);
  EXPECT_EQ(info->id_scheme, 3);
  EXPECT_EQ(info->spec_hash, "0123456789012345");
  EXPECT_EQ(info->compiler, "GNU 12.2.0");
  EXPECT_EQ(info->pivot.rows, "train.learning_rate");
  EXPECT_EQ(info->pivot.cols, "model.activation");  // the default: the spec does not say
  EXPECT_EQ(info->pivot.cell, "outcome");
}

TEST_F(ManifestDir, AManifestFromBeforeOutcomesHasNoOutputFormat) {
  std::string text = format_manifest(example());
  text.erase(0, text.find('\n') + 1);  // output_format is the first key
  std::ofstream(dir_ / "manifest.yaml") << text;
  EXPECT_EQ(read_manifest(dir_)->output_format, 0);
}

TEST_F(ManifestDir, RefusesAManifestThatIsAFifo) {
  ASSERT_EQ(::mkfifo((dir_ / "manifest.yaml").c_str(), 0600), 0);
  try {
    read_manifest(dir_);
    FAIL();
  } catch (const nn::InputError& e) {
    EXPECT_EQ(e.file(), (dir_ / "manifest.yaml").string());
    EXPECT_NE(std::string(e.what()).find("FIFO"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace results
