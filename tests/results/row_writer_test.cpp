#include "results/row_writer.h"

#include <gtest/gtest.h>

#include <sstream>

#include "results/trial_record.h"

namespace results {
namespace {

namespace fs = std::filesystem;

TEST(RowWriter, WritesRowsThroughTheStream) {
  std::ostringstream out;
  RowWriter writer(out);
  writer.write("a,b\n");
  writer.write("1,2\n3,4\n");
  EXPECT_EQ(out.str(), "a,b\n1,2\n3,4\n");
}

TEST(RowWriter, FailingStreamThrows) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  RowWriter writer(out);
  EXPECT_THROW(writer.write("x\n"), std::runtime_error);
}

// What a resume does: read what is there, cut the torn tail, append the missing rows.
TEST(RowWriter, AppendAfterCuttingATornTail) {
  const fs::path file = fs::temp_directory_path() / "nnsweep_row_writer_test.csv";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << "trial_index,x\n0,a\n1,b";  // killed while writing row 1
  }
  std::uint64_t keep = 0;
  {
    std::ifstream in(file, std::ios::binary);
    CsvReader reader(in, file.string());
    CsvRecord record;
    while (reader.next(record)) {
    }
    keep = reader.complete_bytes();
  }
  {
    std::ofstream out = open_for_append(file, keep);
    RowWriter writer(out);
    writer.write("1,b\n");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "trial_index,x\n0,a\n1,b\n");
  fs::remove(file);
}

TEST(RowWriter, AppendCreatesAMissingFile) {
  const fs::path file = fs::temp_directory_path() / "nnsweep_row_writer_new.csv";
  fs::remove(file);
  {
    std::ofstream out = open_for_append(file, 0);
    RowWriter(out).write("h\n");
  }
  EXPECT_EQ(fs::file_size(file), 2u);
  fs::remove(file);
}

}  // namespace
}  // namespace results
