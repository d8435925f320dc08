// Rules that couple settings, checked over every combination a sweep can produce.
#include "sweeps/consistency.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sweep_test_util.h"

namespace sweeps {
namespace {

using testing::error_of;
using testing::parse;

TEST(Consistency, RefusesABatchLargerThanTheTrainingSet) {
  EXPECT_EQ(error_of("data: {points: 100}\ntrain: {batch_size: 60}\n"),
            "s.yaml:2:21: error: train.batch_size 60 is larger than the training set of 50 "
            "samples (100 points x train_fraction 0.5)");
}

TEST(Consistency, NamesTheGridValueAndCombinationAtFault) {
  EXPECT_EQ(error_of("data: {points: 100, validation_fraction: 0.2}\n"
                     "grid:\n  train.batch_size: [10, 45]\n"),
            "s.yaml:3:26: error: train.batch_size 45 is larger than the training set of 40 "
            "samples (100 points x train_fraction 0.5 x (1 - validation_fraction 0.2)); in the "
            "combination train.batch_size=45");
}

TEST(Consistency, BlamesTheGivenValueWhenTheCulpritIsADefault) {
  EXPECT_EQ(error_of("data: {points: 10}\n"),
            "s.yaml:1:16: error: train.batch_size 10 is larger than the training set of 5 "
            "samples (10 points x train_fraction 0.5)");
}

TEST(Consistency, ChecksOnlyCombinationsThatSurviveExclude) {
  EXPECT_EQ(error_of("grid:\n  data.points: [20, 500]\n  train.batch_size: [10, 100]\n"
                     "exclude: [{data.points: 20, train.batch_size: 100}]\n"),
            "no error");
}

TEST(Consistency, NeedsAPathAndAnExistingTargetForCsv) {
  EXPECT_EQ(error_of("data: {dataset: csv, target: y}\n"),
            "s.yaml:1:17: error: data.dataset csv needs data.path, the CSV file to read");
  EXPECT_EQ(error_of("data: {dataset: csv, path: data/iris.csv, target: specis}\n"),
            "s.yaml:1:51: error: data.target: 'data/iris.csv' has no column 'specis' (did you "
            "mean 'species'?); columns: 'sepal_length', 'sepal_width', 'petal_length', "
            "'petal_width', 'species'");
}

TEST(Consistency, SizesCsvSplitsFromTheFilesRows) {
  EXPECT_EQ(error_of("data: {dataset: csv, path: data/iris.csv, target: species}\n"
                     "train: {batch_size: 76}\n"),
            "s.yaml:2:21: error: train.batch_size 76 is larger than the training set of 75 "
            "samples (150 rows of data/iris.csv x train_fraction 0.5)");
}

// The file's own problems (its shape anywhere) come first, then the columns, the splits and
// last its cells: the order in which a sweep's checks have always reported them.
TEST(Consistency, ReportsACsvFilesProblemsInTheirOrder) {
  const auto dir = std::filesystem::temp_directory_path() / "nnsweep_consistency_order";
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream((dir / name).string(), std::ios::binary) << text;
    return (dir / name).string();
  };
  const std::string ragged = write("ragged.csv", "a,y\nx,0\n1,1\n2,0,5\n");
  const std::string cell = write("cell.csv", "a,y\n1,0\nx,1\n2,0\n3,1\n");
  EXPECT_EQ(error_of("data: {dataset: csv, path: " + ragged + ", target: nope}\n"),
            ragged + ":4:1: error: row has 3 fields, the header has 2");
  EXPECT_EQ(error_of("data: {dataset: csv, path: " + cell +
                     ", target: y}\n"
                     "train: {batch_size: 3}\n"),
            "s.yaml:2:21: error: train.batch_size 3 is larger than the training set of 2 "
            "samples (4 rows of " +
                cell + " x train_fraction 0.5)");
  EXPECT_EQ(error_of("data: {dataset: csv, path: " + cell +
                     ", target: y}\n"
                     "train: {batch_size: 2}\n"),
            cell +
                ":3:1: error: column 'a': 'x' is not a number; to use a column of text "
                "(categories) as a feature, set data.categorical: onehot");
  std::filesystem::remove_all(dir);
}

TEST(Consistency, MonitorsValidationLossOnlyWithAValidationSplit) {
  EXPECT_EQ(error_of("convergence: {monitor: val_loss}\n"),
            "s.yaml:1:24: error: convergence.monitor val_loss needs a validation split "
            "(data.validation_fraction > 0)");
}

TEST(Consistency, RefusesCrossEntropyOnARegressionDataset) {
  EXPECT_EQ(error_of("data: {dataset: plane}\nmodel: {loss: cross_entropy}\n"),
            "s.yaml:2:15: error: model.loss cross_entropy needs classes, but data.dataset plane "
            "is a regression target; use mse or auto");
  EXPECT_EQ(error_of("model: {loss: cross_entropy}\ngrid: {data.dataset: [circle, multi_gauss]}\n"),
            "s.yaml:1:15: error: model.loss cross_entropy needs classes, but data.dataset "
            "multi_gauss is a regression target; use mse or auto; in the combination "
            "data.dataset=multi_gauss");
  EXPECT_EQ(error_of("data: {dataset: plane}\ngrid: {model.loss: [auto, mse]}\n"), "no error");
  EXPECT_EQ(error_of("model: {loss: mse}\n"), "no error");  // the probabilities' squared error
}

TEST(Consistency, RefusesCrossEntropyOnANumericCsvTarget) {
  EXPECT_EQ(error_of("data: {dataset: csv, path: data/iris.csv, target: sepal_length,\n"
                     "       columns: [sepal_width, petal_length]}\n"
                     "model: {loss: cross_entropy}\n"),
            "s.yaml:3:15: error: model.loss cross_entropy needs classes, but data.target "
            "'sepal_length' of 'data/iris.csv' holds numbers (a regression target); use mse or "
            "auto");
  EXPECT_EQ(error_of("data: {dataset: csv, path: data/iris.csv, target: species}\n"
                     "model: {loss: cross_entropy}\n"),
            "no error");
}

// Class weights reweigh classes: a regression target has none, wherever the setting is given.
TEST(Consistency, RefusesClassWeightOnARegressionTarget) {
  EXPECT_EQ(error_of("data: {dataset: plane}\ntrain: {class_weight: balanced}\n"),
            "s.yaml:2:23: error: train.class_weight balanced needs a classification task, and "
            "data.dataset plane is a regression; use none");
  EXPECT_EQ(error_of("data: {dataset: csv, path: data/iris.csv, target: sepal_length,\n"
                     "       columns: [sepal_width, petal_length]}\n"
                     "grid: {train.class_weight: [none, balanced]}\n"),
            "s.yaml:3:35: error: train.class_weight balanced needs a classification task, and "
            "column 'sepal_length' of 'data/iris.csv' is a regression; use none; in the "
            "combination train.class_weight=balanced");
  EXPECT_EQ(error_of("grid: {data.dataset: [circle, plane]}\n"
                     "include: [{data.dataset: plane, train.class_weight: balanced}]\n"),
            "s.yaml:2:53: error: train.class_weight balanced needs a classification task, and "
            "data.dataset plane is a regression; use none; in the combination "
            "data.dataset=plane, train.class_weight=balanced");
  EXPECT_EQ(error_of("data: {dataset: plane}\ntrain: {class_weight: none}\n"), "no error");
  EXPECT_EQ(error_of("data: {dataset: csv, path: data/iris.csv, target: species}\n"
                     "grid: {train.class_weight: [none, balanced]}\n"),
            "no error");
}

TEST(Consistency, ChecksRandomDrawsOfCoupledSettings) {
  EXPECT_EQ(error_of("data: {points: 40}\n"
                     "random: {samples: 20, params: {train.batch_size: {int_uniform: [1, 30]}}}\n"),
            "s.yaml:2:32: error: train.batch_size 28 is larger than the training set of 20 "
            "samples (40 points x train_fraction 0.5)");
}

TEST(Consistency, CrossValidationNeedsASampleOfEveryClassInEveryFold) {
  // iris: 50 rows of each species; 0.5 of 150 leaves 25 of each for cross-validation.
  EXPECT_EQ(error_of("data: {dataset: csv, path: data/iris.csv, target: species,\n"
                     "       split: {method: kfold, folds: 26}}\n"),
            "s.yaml:2:38: error: data.split.folds 26 is more than the 25 samples of the smallest "
            "class ('setosa') in the part left for cross-validation: a fold would miss that "
            "class; use at most 25 folds, or stratify: false");
  EXPECT_EQ(error_of("data: {dataset: circle, points: 10, split: {method: kfold, folds: 6}}\n"),
            "s.yaml:1:67: error: data.split.folds 6 is more than the 5 samples left for "
            "cross-validation after the test share");
  EXPECT_NO_THROW(
      parse("data: {dataset: csv, path: data/iris.csv, target: species,\n"
            "       split: {method: kfold, folds: 25}}\ntrain: {batch_size: 5}\n"));
}

TEST(Consistency, StratifyTrueNeedsClasses) {
  EXPECT_EQ(error_of("data: {dataset: plane, split: {stratify: true}}\n"),
            "s.yaml:1:42: error: data.split.stratify true needs classes, and the target is a "
            "regression; use auto or false");
}

}  // namespace
}  // namespace sweeps
