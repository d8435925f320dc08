#include "nn/csv_data.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "nn/encoding.h"
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

// data.categorical onehot and data.missing: a numeric `id` column names each row, so a test can
// tell which rows went to the training split (the inputs, un-standardised, give the id back).
class CsvEncoding : public CsvData {
 protected:
  // Rows id 0..n-1: id, color (`c` + id % 3, `rare` for id 7), a (id / 2, empty for id % 5 ==
  // 3), y (id % 2).
  std::filesystem::path colors(int n = 30) {
    std::ostringstream out;
    out << "id,color,a,y\n";
    for (int id = 0; id < n; ++id) {
      out << id << ',' << color_of(id) << ',';
      if (id % 5 != 3) out << id / 2.0;
      out << ',' << id % 2 << '\n';
    }
    return write("colors.csv", out.str());
  }
  DataConfig onehot(const std::filesystem::path& path, Missing missing = Missing::mean) {
    DataConfig c = config(path);
    c.categorical = Categorical::onehot;
    c.missing = missing;
    c.validation_fraction = 0.25;
    return c;
  }
  static Eigen::MatrixXd raw(const Dataset& d, const Split& s) {
    return (s.x.array().colwise() * d.feature_scale.array()).colwise() + d.feature_mean.array();
  }
  static std::set<int> ids(const Dataset& d, const Split& s) {
    std::set<int> out;
    const Eigen::MatrixXd r = raw(d, s);
    for (Eigen::Index j = 0; j < r.cols(); ++j) out.insert(static_cast<int>(std::lround(r(0, j))));
    return out;
  }
  static std::string color_of(int id) {
    const std::string names[] = {"c0", "c1", "c2"};
    return id == 7 ? "rare" : names[id % 3];
  }
};

TEST_F(CsvEncoding, CategoriesComeFromTheTrainingSplitSortedAndUnseenOnesAreZeros) {
  const auto path = colors();
  bool rare_held_out = false, rare_trained = false;
  for (std::uint64_t seed = 1; seed < 40; ++seed) {
    const Dataset d = make_dataset(onehot(path), seed);
    const std::set<int> train = ids(d, d.train);
    std::set<std::string> expected;
    for (int id : train) expected.insert(color_of(id));
    ASSERT_EQ(d.columns.size(), 3u);
    EXPECT_EQ(d.columns[1].kind, ColumnKind::onehot);
    EXPECT_EQ(d.columns[1].categories, std::vector<std::string>(expected.begin(), expected.end()));
    std::vector<std::string> names = {"id"};
    for (const std::string& c : expected) names.push_back("color=" + c);
    names.emplace_back("a");
    EXPECT_EQ(d.feature_names, names);
    // Every row of every split: 1 under its own category when training held it, else zeros.
    for (const Split* s : {&d.train, &d.validation, &d.test}) {
      const Eigen::MatrixXd r = raw(d, *s);
      for (Eigen::Index j = 0; j < r.cols(); ++j) {
        const int id = static_cast<int>(std::lround(r(0, j)));
        for (std::size_t k = 0; k < expected.size(); ++k) {
          const double want = d.columns[1].categories[k] == color_of(id) ? 1.0 : 0.0;
          EXPECT_NEAR(r(static_cast<Eigen::Index>(k) + 1, j), want, 1e-12) << id;
        }
      }
    }
    (train.count(7) ? rare_trained : rare_held_out) = true;
  }
  EXPECT_TRUE(rare_held_out && rare_trained);
}

TEST_F(CsvEncoding, AMissingCellTakesTheMeanOfTheTrainingSplitsPresentValues) {
  const auto path = colors();
  const Dataset d = make_dataset(onehot(path), 3);
  double sum = 0;
  int count = 0;
  for (int id : ids(d, d.train))
    if (id % 5 != 3) sum += id / 2.0, ++count;
  const ColumnEncoding& a = d.columns[2];
  EXPECT_TRUE(a.fill_missing);
  EXPECT_NEAR(a.fill, sum / count, 1e-12);
  EXPECT_NE(a.fill, 29 / 4.0);  // not the whole file's mean of present values
  const Eigen::Index row = d.inputs() - 1;
  for (const Split* s : {&d.train, &d.validation, &d.test}) {
    const Eigen::MatrixXd r = raw(d, *s);
    for (Eigen::Index j = 0; j < r.cols(); ++j) {
      const int id = static_cast<int>(std::lround(r(0, j)));
      EXPECT_NEAR(r(row, j), id % 5 == 3 ? a.fill : id / 2.0, 1e-9) << id;
    }
  }
}

TEST_F(CsvEncoding, AMissingCategoryUnderMeanIsAllZeros) {
  const auto path = write("m.csv", "color,y\nred,0\nblue,1\n,0\nred,1\nblue,0\n,1\nred,0\n,1\n");
  DataConfig c = onehot(path);
  c.validation_fraction = 0;
  c.train_fraction = 0.99;
  const Dataset d = make_dataset(c, 1);
  EXPECT_EQ(d.columns[0].categories, (std::vector<std::string>{"blue", "red"}));
  const Eigen::MatrixXd r = raw(d, d.train);
  EXPECT_EQ(((r.array().abs() < 1e-12).colwise().all()).count(), 3);  // the three empty cells
}

TEST_F(CsvEncoding, DropRowsLeavesOutRowsWithAMissingFeatureBeforeTheSplit) {
  const auto path = colors(40);
  const Dataset d = make_dataset(onehot(path, Missing::drop_rows), 5);
  std::set<int> all;
  for (const Split* s : {&d.train, &d.validation, &d.test})
    for (int id : ids(d, *s)) all.insert(id);
  std::set<int> expected;
  for (int id = 0; id < 40; ++id)
    if (id % 5 != 3) expected.insert(id);
  EXPECT_EQ(all, expected);
  EXPECT_EQ(d.train.size() + d.validation.size() + d.test.size(), 32);
  EXPECT_FALSE(d.columns[2].fill_missing);
}

TEST_F(CsvEncoding, AMissingTargetStaysAnError) {
  const auto path = write("t.csv", "a,y\n1,0\n2,\n3,1\n4,0\n");
  EXPECT_EQ(error_of(onehot(path, Missing::drop_rows)),
            path.string() + ":3:3: error: column 'y': missing target value");
}

TEST_F(CsvEncoding, ACategoryBeyondTheCapIsRefusedAtItsCell) {
  std::string text = "name,y\n";
  for (int i = 0; i <= kMaxCategories; ++i)
    text += 'n' + std::to_string(i) + ',' + std::to_string(i % 2) + '\n';
  const auto path = write("cap.csv", text);
  EXPECT_EQ(error_of(onehot(path)),
            path.string() +
                ":1002:1: error: column 'name': 'n1000' makes 1001 distinct texts, "
                "more than the 1000 categories data.categorical: onehot encodes "
                "(README, \"Limits\"); leave the column out with data.columns");
  text.erase(text.rfind("n1000"));
  const auto at_cap = write("at_cap.csv", text);
  EXPECT_EQ(error_of(onehot(at_cap)), "no error");
}

TEST_F(CsvEncoding, ANumberColumnWithAStrayTextIsRefused) {
  const auto path = write("age.csv", "age,y\n31,0\n40,1\nn/a,0\n22,1\n");
  EXPECT_EQ(error_of(onehot(path)),
            path.string() +
                ":4:1: error: column 'age' holds 3 numbers and 1 texts ('n/a' here, '31' at "
                "2:1); a feature column is numbers or text (categories), not both: leave a "
                "missing value empty, or make every category a name");
}

TEST_F(CsvEncoding, ANumberBeyondADoubleIsNoCategory) {
  const auto path = write("big.csv", "a,y\n1,0\n1e999,1\n3,0\n4,1\n");
  EXPECT_EQ(error_of(onehot(path)),
            path.string() + ":3:1: error: column 'a': '1e999' is not a finite number");
}

TEST_F(CsvEncoding, AColumnWithNoValueInTheTrainingSplitIsRefused) {
  const auto path = write("empty.csv", "a,b,y\n1,,0\n2,,1\n3,,0\n4,,1\n");
  EXPECT_EQ(error_of(onehot(path)),
            path.string() +
                ":1:2: error: column 'b' has no value in the 2 rows of the training split, so "
                "data.missing: mean has no mean to fill in; leave the column out with "
                "data.columns");
}

TEST_F(CsvEncoding, TheEncodingIsSharedWithNewRows) {
  ColumnEncoding color{.name = "color",
                       .kind = ColumnKind::onehot,
                       .fill_missing = true,
                       .fill = 0,
                       .categories = {"blue", "red"}};
  ColumnEncoding a{
      .name = "a", .kind = ColumnKind::number, .fill_missing = true, .fill = 2.5, .categories = {}};
  EXPECT_EQ(category_index(color, "red"), 1);
  EXPECT_EQ(category_index(color, "green"), kUnseenCategory);
  Eigen::MatrixXd cells(2, 3);
  cells << 1, kUnseenCategory, kMissingCell, 7, kMissingCell, -1;
  Eigen::MatrixXd want(3, 3);
  want << 0, 0, 0, 1, 0, 0, 7, 2.5, -1;
  EXPECT_EQ(encode_columns({color, a}, cells), want);
  EXPECT_EQ(encoded_names({color, a}), (std::vector<std::string>{"color=blue", "color=red", "a"}));
}

}  // namespace
}  // namespace nn
