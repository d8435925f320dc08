#include "nn/csv_data.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "nn/input_error.h"

namespace nn {
namespace {

class CsvData : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  DataConfig config(const std::filesystem::path& path, const std::string& target = "y") {
    DataConfig c;
    c.dataset = DatasetKind::csv;
    c.path = path.string();
    c.target = target;
    c.train_fraction = 0.5;
    return c;
  }
  // The message make_dataset() throws, as printed.
  std::string error_of(const DataConfig& c) {
    try {
      make_dataset(c, 1);
    } catch (const InputError& e) {
      return e.describe();
    }
    return "no error";
  }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nnsweep_csv_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(CsvData, RealTargetMeansRegressionAndFeaturesAreStandardisedOnTrain) {
  const auto path = write("r.csv", "a,b,y\n1,10,0.5\n2,20,1.5\n3,30,2.5\n4,40,3.5\n");
  const Dataset d = make_dataset(config(path), 1);
  EXPECT_EQ(d.task, Task::regression);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(d.train.size(), 2);
  EXPECT_NEAR(d.train.x.row(0).mean(), 0.0, 1e-12);
  EXPECT_NEAR(d.train.x.row(0).squaredNorm() / 2, 1.0, 1e-12);
}

TEST_F(CsvData, StringTargetsBecomeSortedClasses) {
  const auto path =
      write("c.csv", "x,\"label, quoted\"\r\n1,b\r\n2,a\r\n3,c\r\n4,a\r\n5,b\r\n6,c\r\n");
  const Dataset d = make_dataset(config(path, "label, quoted"), 1);
  EXPECT_EQ(d.task, Task::multiclass);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(d.outputs(), 3);
  EXPECT_EQ((d.train.y.colwise().sum().array() == 1.0).count(), d.train.size());
}

TEST_F(CsvData, IntegerTargetsBecomeClassesInNumericOrder) {
  const auto path = write("i.csv", "x,y\n1,10\n2,9\n3,10\n4,9\n");
  const Dataset d = make_dataset(config(path), 1);
  EXPECT_EQ(d.task, Task::binary);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"9", "10"}));
}

TEST_F(CsvData, ColumnsSelectTheFeatures) {
  const auto path = write("s.csv", "a,b,c,y\n1,2,3,0\n4,5,6,1\n7,8,9,0\n1,1,1,1\n");
  DataConfig c = config(path);
  c.columns = {"c", "a"};
  EXPECT_EQ(make_dataset(c, 1).feature_names, (std::vector<std::string>{"c", "a"}));
}

TEST_F(CsvData, MissingFileIsAnError) {
  const std::string error = error_of(config(dir_ / "nope.csv"));
  EXPECT_EQ(error, (dir_ / "nope.csv").string() + ": error: the CSV file does not exist");
}

TEST_F(CsvData, DirectoryIsAnError) {
  EXPECT_EQ(error_of(config(dir_)),
            dir_.string() + ": error: the CSV file is a directory, not a regular file");
}

TEST_F(CsvData, EmptyFileIsAnError) {
  const auto path = write("e.csv", "");
  EXPECT_EQ(error_of(config(path)),
            path.string() + ": error: the CSV file is empty (no header row)");
}

TEST_F(CsvData, RaggedRowNamesItsLine) {
  const auto path = write("g.csv", "a,y\n1,0\n2,1,7\n");
  EXPECT_EQ(error_of(config(path)),
            path.string() + ":3:1: error: row has 3 fields, the header has 2");
}

TEST_F(CsvData, NonNumericCellNamesLineColumnAndHeader) {
  const auto path = write("n.csv", "a,b,y\n1,2,0\n3,abc,1\n");
  EXPECT_EQ(error_of(config(path)),
            path.string() +
                ":3:3: error: column 'b': 'abc' is not a number; to use a column of text "
                "(categories) as a feature, set data.categorical: onehot");
}

TEST_F(CsvData, MissingAndNonFiniteValuesAreErrors) {
  const auto missing = write("m.csv", "a,y\n1,0\n,1\n");
  EXPECT_EQ(error_of(config(missing)),
            missing.string() +
                ":3:1: error: column 'a': missing value; set data.missing: drop_rows (leave such "
                "rows out) or data.missing: mean (fill in the training split's mean) to accept "
                "empty cells");
  const auto nan = write("nan.csv", "a,y\n1,0\nnan,1\n");
  EXPECT_EQ(error_of(config(nan)),
            nan.string() + ":3:1: error: column 'a': 'nan' is not a finite number");
}

TEST_F(CsvData, MissingTargetColumnIsAnError) {
  const auto path = write("t.csv", "a,b\n1,0\n2,1\n");
  EXPECT_EQ(error_of(config(path, "label")),
            path.string() + ":1:1: error: no column named 'label' in the header");
}

TEST_F(CsvData, SingleClassIsAnError) {
  const auto path = write("one.csv", "a,y\n1,cat\n2,cat\n");
  EXPECT_EQ(error_of(config(path)),
            path.string() +
                ":1:2: error: target column 'y' has a single class ('cat'): nothing to learn");
}

TEST_F(CsvData, UnclosedQuoteAndBinaryGarbageAreErrors) {
  const auto quote = write("q.csv", "a,y\n\"1,0\n");
  EXPECT_EQ(error_of(config(quote)), quote.string() + ":2:1: error: quoted field is never closed");
  const auto binary = write("b.csv", std::string("a,y\n\0\x01\x02", 7));
  EXPECT_EQ(error_of(config(binary)),
            binary.string() + ": error: is not a text file (it contains NUL bytes)");
}

TEST_F(CsvData, SkipsAByteOrderMark) {
  const auto path = write("bom.csv", "\xEF\xBB\xBFy,x\na,1\nb,2\na,3\nb,4\n");
  EXPECT_EQ(read_csv_table(path.string()).header, (std::vector<std::string>{"y", "x"}));
  EXPECT_EQ(make_dataset(config(path), 1).feature_names, (std::vector<std::string>{"x"}));
}

TEST_F(CsvData, ReadsCarriageReturnsAloneAsLineEnds) {
  const auto path = write("cr.csv", "x,y\r1,a\r2,b\r3,a\r4,b\r");
  const CsvTable table = read_csv_table(path.string());
  ASSERT_EQ(table.rows.size(), 4u);
  EXPECT_EQ(table.rows[3].fields[0].line, 5);
  EXPECT_EQ(table.rows[3][1], "b");
}

TEST_F(CsvData, ReadsMixedLineEndsAndBlankLines) {
  const auto path = write("mixed.csv", "x,y\r1,a\n\n2,b\r\n3,a\r\r4,b\r5,a\r6,b");
  const Dataset d = make_dataset(config(path), 1);
  EXPECT_EQ(d.train.size() + d.test.size(), 6);
}

TEST_F(CsvData, RefusesAQuoteInsideAnUnquotedCell) {
  const auto path = write("inch.csv", "x,y\n5\",a\n6,b\n");
  EXPECT_EQ(error_of(config(path)), path.string() + ":2:2: error: quote inside an unquoted field");
}

TEST_F(CsvData, ReadsALineHoldingOnlyAnEmptyQuotedFieldAsBlank) {
  const auto path = write("quoted_blank.csv", "x,y\n1,a\n\"\"\n2,b\n3,a\n4,b\n");
  EXPECT_EQ(read_csv_table(path.string()).rows.size(), 4u);
}

TEST_F(CsvData, RefusesARepeatedColumnNameNamingBoth) {
  const auto path = write("dup.csv", "noise,y,y\n1,a,a\n2,b,b\n");
  EXPECT_EQ(error_of(config(path)),
            path.string() +
                ":1:9: error: column 3 is named 'y' like column 2 (at 1:7); column names must be "
                "unique");
}

TEST_F(CsvData, RefusesBytesThatAreNotUtf8AtTheirPosition) {
  const auto path = write("latin1.csv", "x,temp\xe9rature\n1,2\n");
  EXPECT_EQ(
      error_of(config(path)),
      path.string() +
          ":1:7: error: the CSV file is not UTF-8 text (byte '\\xe9' here); save it as UTF-8");
}

TEST_F(CsvData, StandardisesHugeButFiniteValues) {
  const auto path = write("big.csv", "x,y\n1e200,a\n-1e200,b\n3e200,a\n-3e200,b\n");
  const Dataset d = make_dataset(config(path), 1);
  ASSERT_EQ(d.feature_scale.size(), 1);
  EXPECT_TRUE(std::isfinite(d.feature_scale(0)));
  EXPECT_GT(d.feature_scale(0), 1e199);
  EXPECT_GT(d.train.x.cwiseAbs().maxCoeff(), 0.5);  // not all zeros
  EXPECT_TRUE(d.train.x.allFinite() && d.test.x.allFinite());
}

TEST_F(CsvData, RefusesAColumnWhoseRangeOverflows) {
  const auto path = write("wide.csv", "x,y\n1.5e308,a\n-1.5e308,b\n0,a\n1,b\n");
  EXPECT_EQ(error_of(config(path)),
            path.string() +
                ":2:1: error: column 'x': its values span from '-1.5e308' to '1.5e308', a range "
                "too wide to standardise in double precision; rescale the column");
}

TEST_F(CsvData, ManyWholeNumberClassesNeedTheTaskSaid) {
  std::string text = "x,y\n";
  for (int i = 0; i < 300; ++i) text += std::to_string(i) + "," + std::to_string(i % 150) + "\n";
  const auto path = write("many.csv", text);
  DataConfig c = config(path);
  EXPECT_NE(error_of(c).find("has 150 distinct values, more than the 100 classes"),
            std::string::npos);
  c.task = TaskChoice::classification;
  EXPECT_EQ(make_dataset(c, 1).class_names.size(), 150u);
  c.task = TaskChoice::regression;
  EXPECT_EQ(make_dataset(c, 1).task, Task::regression);
}

TEST_F(CsvData, RefusesATrainingSplitOfOneClass) {
  const auto path = write("two.csv", "x,y\n1,a\n2,b\n");
  EXPECT_EQ(error_of(config(path)),
            path.string() +
                ":1:2: error: the training split of 1 rows (train_fraction 0.5) holds a single "
                "class of target 'y': nothing to learn; add rows or raise data.train_fraction");
}

TEST_F(CsvData, RefusesACellLongerThanTheCap) {
  const auto path = write("long.csv", "x,y\n" + std::string(70000, '1') + ",a\n2,b\n");
  EXPECT_EQ(
      error_of(config(path)),
      path.string() + ":2:1: error: a cell of 65537 bytes, more than the 65536 nnsweep reads");
}

}  // namespace
}  // namespace nn
