#include "nn/csv_values.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nn/csv_data.h"
#include "nn/dataset.h"
#include "nn/input_error.h"
#include "nn/number.h"

namespace nn {
namespace {

class CsvValuesTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  DataConfig config(const std::string& path, const std::string& target = "y") {
    DataConfig c;
    c.dataset = DatasetKind::csv;
    c.path = path;
    c.target = target;
    c.train_fraction = 0.5;
    return c;
  }
  std::string error_of(const DataConfig& c) {
    try {
      csv_values(c);
    } catch (const InputError& e) {
      return e.describe();
    }
    return "no error";
  }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nnsweep_csv_values_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// Numbers written every way parse_number reads them.
const std::vector<std::string> kCells = {"0",
                                         "-0",
                                         "+1.5",
                                         " 2.25 ",
                                         "1e3",
                                         "1E-3",
                                         "+1e+300",
                                         "-2.5e-310",
                                         "4.9e-324",
                                         "1.7976931348623157e308",
                                         ".5",
                                         "5.",
                                         "0.1",
                                         "0.30000000000000004",
                                         "-1.2881847531554629",
                                         "123456789012345678901234567890",
                                         "1.00000000000000011102230246251565404236316680908203125",
                                         "  -7  ",
                                         "007",
                                         "2.2250738585072011e-308"};

std::string numbers_file(const std::string& line_end) {
  std::string text = "a,b,y" + line_end;
  for (std::size_t i = 0; i < kCells.size(); ++i)
    text += kCells[i] + "," + kCells[(i * 7 + 3) % kCells.size()] + "," + std::to_string(i % 2) +
            line_end;
  return text;
}

void expect_cells(const CsvValues& values) {
  const auto x = values.x.matrix();
  ASSERT_EQ(x.cols(), static_cast<Eigen::Index>(kCells.size()));
  for (std::size_t i = 0; i < kCells.size(); ++i) {
    const auto j = static_cast<Eigen::Index>(i);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x(0, j)),
              std::bit_cast<std::uint64_t>(*parse_number(kCells[i])))
        << kCells[i];
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x(1, j)),
              std::bit_cast<std::uint64_t>(*parse_number(kCells[(i * 7 + 3) % kCells.size()])));
    EXPECT_EQ(values.target.value[i], static_cast<double>(i % 2));
  }
}

// The plain reader (LF, CRLF, a byte order mark) and the general one (a quoted cell sends the
// file there) make the very doubles parse_number makes of each cell.
TEST_F(CsvValuesTest, EveryReaderMakesTheDoublesParseNumberMakes) {
  for (const std::string& text :
       {numbers_file("\n"), numbers_file("\r\n"), "\xEF\xBB\xBF" + numbers_file("\n"),
        "\"a\",b,y\n" + numbers_file("\n").substr(6)}) {
    SCOPED_TRACE(text.substr(0, 12));
    expect_cells(*csv_values(config(write("n.csv", text))));
  }
}

TEST_F(CsvValuesTest, ALastLineWithoutLineBreakAndBlankLinesAreRead) {
  const auto values = csv_values(config(write("t.csv", "a,y\n\n1,0\n\n\n2,1\r\n3,0")));
  EXPECT_EQ(values->x.cols(), 3);
  EXPECT_EQ(values->x.matrix()(0, 2), 3.0);
  EXPECT_EQ(values->target.texts, (std::vector<std::string>{"0", "1"}));
}

// A problem found on the way keeps the position the general reader gives it.
TEST_F(CsvValuesTest, ErrorsNameTheirLineAndColumn) {
  // The same file but for a quoted cell, which only the general reader reads.
  const std::string plain = error_of(config(write("a.csv", "a,b,y\n1,2,0\n\n3,x,1\n")));
  std::string general = error_of(config(write("b.csv", "a,b,y\n1,2,0\n\n3,x,\"1\"\n")));
  general.replace(general.find("b.csv"), 5, "a.csv");
  EXPECT_EQ(plain, general);
  EXPECT_NE(error_of(config(write("c.csv", "a,b,y\n1,2,0\n\n3,x,1\n"))).find("c.csv:4:3"),
            std::string::npos);
  EXPECT_NE(error_of(config(write("d.csv", "a,b,y\r\n1,2,0\r\n3,,1\r\n"))).find("d.csv:3:3"),
            std::string::npos);
  EXPECT_NE(error_of(config(write("e.csv", "a,y\n1,0\n2,0,1\n"))).find("e.csv:3:1"),
            std::string::npos);
  // A NUL after a bad cell is still what is reported (the file is not text at all).
  EXPECT_NE(error_of(config(write("f.csv", std::string("a,y\nx,0\n1,\0\n", 13)))).find("NUL"),
            std::string::npos);
}

// Rows left out under data.missing: drop_rows keep no target, and extremes count every row.
TEST_F(CsvValuesTest, DroppedRowsKeepNoTarget) {
  DataConfig c = config(write("m.csv", "a,y\n1,0\n,x\n3,1\n"));
  c.missing = Missing::drop_rows;
  const auto values = csv_values(c);
  EXPECT_EQ(values->rows, 3u);
  EXPECT_EQ(values->dropped, 1u);
  EXPECT_EQ(values->target.code.size(), 2u);
  EXPECT_TRUE(values->target.numeric);
}

// A bad cell is kept while the rest of the file is read: the rows are counted past it, and a
// problem of the file's shape further on is still the one reported first.
TEST_F(CsvValuesTest, ACellsProblemWaitsForTheFilesShape) {
  const DataConfig cell = config(write("c.csv", "a,y\nx,0\n1,1\n2,0\n"));
  EXPECT_EQ(csv_rows(cell), 3u);
  EXPECT_EQ(error_of(cell), cell.path +
                                ":2:1: error: column 'a': 'x' is not a number; to use a column "
                                "of text (categories) as a feature, set data.categorical: onehot");
  const DataConfig ragged = config(write("r.csv", "a,y\nx,0\n1,1\n2,0,5\n"));
  EXPECT_EQ(error_of(ragged), ragged.path + ":4:1: error: row has 3 fields, the header has 2");
  EXPECT_THROW(csv_rows(ragged), InputError);
  // The same through the general reader.
  const DataConfig quoted = config(write("q.csv", "a,y\nx,\"0\"\n1,1\n2,0,5\n"));
  EXPECT_EQ(error_of(quoted), quoted.path + ":4:1: error: row has 3 fields, the header has 2");
  const CsvValuesKept keep;
  EXPECT_EQ(csv_rows(cell), 3u);
  EXPECT_THROW(csv_values(cell), InputError);
}

// The header alone is read when its line is plain; a problem in it is reported as the whole
// file's check reports it.
TEST_F(CsvValuesTest, ReadsTheHeaderAlone) {
  std::size_t rows = 0;
  const std::string ragged = write("r.csv", "a,b,y\n1,2\n");
  EXPECT_EQ(read_csv_header(ragged), (std::vector<std::string>{"a", "b", "y"}));
  EXPECT_THROW(read_csv_shape(ragged, rows), InputError);
  EXPECT_EQ(read_csv_header(write("b.csv", "\xEF\xBB\xBF\n\"a\",y\r\n1,0\r\n")),
            (std::vector<std::string>{"a", "y"}));
  for (const std::string& text : {std::string("a,a\n1,2\n"), std::string("a,\xE9\n1,2\n"),
                                  std::string("a,y\0\n1,2\n", 9), std::string("")}) {
    const std::string path = write("bad.csv", text);
    std::string header_error, shape_error;
    try {
      read_csv_header(path);
    } catch (const InputError& e) {
      header_error = e.describe();
    }
    try {
      read_csv_shape(path, rows);
    } catch (const InputError& e) {
      shape_error = e.describe();
    }
    EXPECT_FALSE(header_error.empty()) << text;
    EXPECT_EQ(header_error, shape_error);
  }
}

// Everything a parse holds, or its error, with the file's path left out.
std::string summary(const DataConfig& c) {
  try {
    const auto v = csv_values(c);
    std::ostringstream out;
    out << v->rows << ' ' << v->dropped << '|';
    for (const std::string& name : v->header) out << name << '|';
    const auto x = v->x.matrix();
    for (Eigen::Index j = 0; j < x.cols(); ++j)
      for (Eigen::Index i = 0; i < x.rows(); ++i)
        out << std::bit_cast<std::uint64_t>(x(i, j)) << ',';
    for (const TextColumn& column : v->text)
      for (const std::string& text : column.texts) out << text << '|';
    for (const double value : v->target.value) out << std::bit_cast<std::uint64_t>(value) << ',';
    for (const std::uint32_t code : v->target.code) out << code << ',';
    for (const std::string& text : v->target.texts) out << text << '|';
    return out.str();
  } catch (const InputError& e) {
    std::string text = e.describe();
    return text.substr(c.path.size());
  }
}

// Quoted cells (commas, doubled quotes and line breaks inside them, a quoted header, CRLF, a
// byte order mark, a line of "" alone, a last line without its line break) make the values
// and positions the general reader makes of them. The reference is the same text with two
// lone CRs at its end: blank lines to the general reader, which the plain one leaves to it.
TEST_F(CsvValuesTest, QuotedFilesReadAsTheGeneralReaderReadsThem) {
  // Records across the plain reader's chunks, some of them cut inside quotes.
  std::ostringstream out;
  out << "\"a\",\"b\",y\n";
  for (int i = 0; i < 60000; ++i)
    out << '"' << i * 0.25 << "\",\"t" << i % 7 << (i % 3 ? "\nx\"\"" : ",y") << "\"," << i % 2
        << "\n";
  const std::string large = out.str();
  const std::vector<std::string> files = {
      "\"a\",\"b\",y\n\"1.5\",\"x,y\",0\n\" 3 \",\"he said \"\"hi\"\"\",1\n7,\"two\nlines\",0\n"
      "8,plain,1\n",
      "\xEF\xBB\xBF\"a\",b,y\r\n\"1\",q,0\r\n\"\"\r\n2,\"r\r\ns\",1\r\n3,q,\"0\"",
      "a,b,y\n1,\"m\nn\",0\n\"x\",q,1\n2,q,0\n",
      "a,b,y\n1,\"m\nn\",0\n2,\"\",1\n",
      "a,b,y\n1,\"q\",0\n2,\"q\"x,1\n",
      "a,b,y\n1,\"q\",0\n2,q\"x,1\n",
      "a,b,y\n1,\"q\",0\n2,\"q,1\n",
      "a,b,y\n1,\"q\",0\n2,q\n",
      "a,b,y\n1,\"q\",0\n2,\"" + std::string(70000, 'z') + "\",1\n",
      "a,\"a\",y\n1,q,0\n",
      large};
  for (const Categorical categorical : {Categorical::error, Categorical::onehot}) {
    for (const std::string& text : files) {
      SCOPED_TRACE(text.substr(0, 40));
      DataConfig c = config(write("q.csv", text));
      c.categorical = categorical;
      const std::string plain = summary(c);
      write("q.csv", text + "\r\r");
      EXPECT_EQ(plain, summary(c));
    }
  }
  DataConfig c = config(write("q.csv", files[0]));
  c.categorical = Categorical::onehot;
  EXPECT_EQ(csv_values(c)->text[1].texts,
            (std::vector<std::string>{"x,y", "he said \"hi\"", "two\nlines", "plain"}));
  // Line 4: the line break inside the quotes of line 2 counts.
  c = config(write("q.csv", files[2]));
  EXPECT_EQ(summary(c),
            ":2:3: error: column 'b': 'm\\nn' is not a number; to use a column of "
            "text (categories) as a feature, set data.categorical: onehot");
  c.categorical = Categorical::onehot;
  EXPECT_EQ(summary(c).find(":4:1: error: column 'a' holds 2 numbers and 1 texts"), 0u);
  // Not-finite and empty cells in quotes, after a target over two lines.
  c = config(write("q.csv", "a,b,y\n\"1\",\"2\",\"p\nq\"\r\n\"2\",\"inf\",r\n"));
  EXPECT_EQ(summary(c), ":4:5: error: column 'b': 'inf' is not a finite number");
  c = config(write("q.csv", "a,b,y\n\"1\",\"2\",\"p\nq\"\r\n\"\",\"3\",r\n"));
  EXPECT_EQ(summary(c).find(":4:1: error: column 'a': missing value"), 0u);
}

// A sweep's checks take the splits without their inputs: the same targets, sizes and classes
// as the dataset, and the same refusals; inputs still come where encoding reads them.
TEST_F(CsvValuesTest, SplitsWithoutInputsMatchTheDataset) {
  std::ostringstream text;
  text << "a,b,y\n";
  for (int i = 0; i < 40; ++i) text << i << ",c" << i % 4 << "," << i % 3 << "\n";
  DataConfig c = config(write("s.csv", text.str()));
  c.validation_fraction = 0.25;
  c.categorical = Categorical::onehot;
  for (const std::string columns : {"a", "b"}) {
    c.columns = {columns};
    const Dataset full = load_csv_dataset(c, 7), splits = load_csv_splits(c, 7);
    EXPECT_EQ(splits.task, full.task);
    EXPECT_EQ(splits.class_names, full.class_names);
    EXPECT_EQ(splits.class_counts, full.class_counts);
    for (const auto& [a, b] :
         {std::pair(&full.train, &splits.train), std::pair(&full.validation, &splits.validation),
          std::pair(&full.test, &splits.test)}) {
      EXPECT_EQ(a->y, b->y);
      EXPECT_EQ(a->size(), b->size());
      // Column b holds categories: encoding reads its training cells, so they are copied.
      EXPECT_EQ(b->x.rows(), columns == "b" ? a->x.rows() : 0);
    }
  }
  const DataConfig one_class = config(write("o.csv", "a,y\n1,0\n2,0\n3,0\n4,0\n"));
  EXPECT_THROW(load_csv_splits(one_class, 1), InputError);
}

TEST_F(CsvValuesTest, KeptWhileAHolderLivesAndReadAgainWithout) {
  const DataConfig c = config(write("k.csv", "a,y\n1,0\n2,1\n"));
  EXPECT_NE(csv_values(c), csv_values(c));
  const CsvValuesKept keep;
  const auto first = csv_values(c);
  EXPECT_EQ(csv_values(c), first);
  DataConfig other = c;
  other.missing = Missing::mean;
  EXPECT_NE(csv_values(other), first);
}

// The last dataset of a parse uses it up: the same dataset, and the parse is no longer kept;
// while something else holds the parse, it is shared instead.
TEST_F(CsvValuesTest, TheLastDatasetOfAParseIsTheSameAndLetsItGo) {
  std::ostringstream text;
  text << "a,b,c,y\n";
  for (int i = 0; i < 3000; ++i)
    text << i << "," << i * 0.5 << "," << (i * 7) % 11 << "," << i % 3 << "\n";
  DataConfig c = config(write("l.csv", text.str()));
  c.validation_fraction = 0.2;
  const CsvValuesKept keep;
  const Dataset shared = make_dataset(c, 5);
  ASSERT_TRUE(holds_csv_values(c));
  {
    const auto holder = csv_values(c);
    const Dataset last = make_dataset(c, 5, ParseUse::last);
    EXPECT_TRUE(holds_csv_values(c));  // held here: shared, not used up
    EXPECT_TRUE(last.train.x.cwiseEqual(shared.train.x).all());
  }
  const Dataset last = make_dataset(c, 5, ParseUse::last);
  EXPECT_FALSE(holds_csv_values(c));
  EXPECT_EQ(last.feature_mean, shared.feature_mean);
  EXPECT_EQ(last.feature_scale, shared.feature_scale);
  for (const auto& [a, b] :
       {std::pair(&shared.train, &last.train), std::pair(&shared.validation, &last.validation),
        std::pair(&shared.test, &last.test)}) {
    EXPECT_TRUE(a->x.cwiseEqual(b->x).all());
    EXPECT_TRUE(a->y.cwiseEqual(b->y).all());
  }
  // Read again for a dataset made after it.
  EXPECT_TRUE(make_dataset(c, 5).test.x.cwiseEqual(shared.test.x).all());
  EXPECT_TRUE(holds_csv_values(c));
}

}  // namespace
}  // namespace nn
