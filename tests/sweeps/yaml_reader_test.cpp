// Errors found while reading the YAML itself: syntax, duplicate keys, shapes and scalar types.
#include "sweeps/yaml_reader.h"

#include <gtest/gtest.h>

#include "sweep_test_util.h"

namespace sweeps {
namespace {

using testing::error_of;
using testing::parse;

TEST(YamlReader, ReportsSyntaxErrorsWhereTheParserStopped) {
  EXPECT_EQ(error_of("grid: [1, 2\nseed: 3\n"),
            "s.yaml:2:5: error: YAML syntax: end of sequence flow not found");
}

TEST(YamlReader, RefusesDuplicateKeysThatYamlCppWouldSilentlyDrop) {
  EXPECT_EQ(error_of("train:\n  learning_rate: 0.1\n  learning_rate: 0.2\n"),
            "s.yaml:3:3: error: duplicate key 'learning_rate' in section 'train' (first given "
            "at line 2)");
  EXPECT_EQ(error_of("seed: 1\nseed: 2\n"),
            "s.yaml:2:1: error: duplicate key 'seed' in the sweep file (first given at line 1)");
}

TEST(YamlReader, RefusesASectionThatIsNotAMap) {
  EXPECT_EQ(error_of("train: 3\n"),
            "s.yaml:1:8: error: section 'train' must be a map of 'key: value' lines, got '3'");
}

TEST(YamlReader, RefusesAKeyWithoutValue) {
  EXPECT_EQ(error_of("train:\n  epochs:\n"), "s.yaml:2:3: error: 'epochs' has no value");
}

TEST(YamlReader, RefusesWrongScalarTypes) {
  EXPECT_EQ(error_of("train:\n  learning_rate: fast\n"),
            "s.yaml:2:18: error: train.learning_rate: expected a number, got 'fast'");
  EXPECT_EQ(error_of("train:\n  batch_size: 2.5\n"),
            "s.yaml:2:15: error: train.batch_size: expected an integer, got '2.5'");
  EXPECT_EQ(error_of("train: {learning_rate: .inf}\n"),
            "s.yaml:1:24: error: train.learning_rate: expected a finite number, got '.inf'");
  EXPECT_EQ(error_of("seed: -1\n"),
            "s.yaml:1:7: error: seed: expected a whole number >= 0, got '-1'");
}

TEST(YamlReader, RefusesAnEmptyFile) {
  EXPECT_EQ(error_of("# nothing\n"),
            "s.yaml:1:1: error: a sweep file is a map of settings (name, seed, data, model, "
            "train, grid, ...), got nothing");
}

TEST(YamlReader, NamesAMissingCsvFileAtItsPath) {
  EXPECT_EQ(error_of("data: {dataset: csv, path: nothere.csv, target: y}\n"),
            "s.yaml:1:28: error: data.path: 'nothere.csv' does not exist (relative paths start "
            "at the sweep file's folder)");
}

TEST(YamlReader, ReadsAPlusSignedSeedLikeAnyPlusSignedInteger) {
  // YAML 1.2's core schema: integers are [-+]?[0-9]+.
  EXPECT_EQ(parse("seed: +5\n").seed(), 5u);
  EXPECT_EQ(parse("seed: +5\ntrain: {epochs: +5}\n").trial(0).config.train.epochs, 5);
}

TEST(YamlReader, RefusesASecondDocument) {
  EXPECT_EQ(error_of("seed: 1\n---\ntrain: {epochs: -1}\n"),
            "s.yaml:3:1: error: a sweep file holds one YAML document; this is a second one "
            "(after '---')");
}

}  // namespace
}  // namespace sweeps
