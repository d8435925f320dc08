#include "results/row_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include "nn/input_error.h"

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

TEST(RowWriter, WritesPartsAsTheirConcatenation) {
  std::ostringstream out;
  RowWriter writer(out);
  const std::vector<std::string> parts = {"a,b\n", "", "1,2\n3,4\n"};
  writer.write(parts);
  EXPECT_EQ(out.str(), "a,b\n1,2\n3,4\n");
}

// Parts larger than the file stream's buffer go to the file from where they are, after what
// the buffer holds: the file still has every byte, in order.
TEST(RowWriter, LargePartsReachTheFileInOrder) {
  const fs::path file = fs::temp_directory_path() /
                        ("nnsweep_row_writer_large_" + std::to_string(::getpid()) + ".csv");
  fs::remove(file);
  std::vector<std::string> parts;
  std::string expected;
  for (std::size_t size : {10u, 70000u, 3u, 65536u, 65535u, 200000u, 1u}) {
    std::string part(size - 1, static_cast<char>('a' + parts.size()));
    parts.push_back(part + "\n");
    expected += parts.back();
  }
  {
    const auto out = open_for_append(file.parent_path(), file.filename().string());
    RowWriter writer(*out);
    writer.write("head\n");
    writer.write(parts);
    writer.write(parts);
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "head\n" + expected + expected);
  fs::remove(file);
}

TEST(RowWriter, FailingStreamThrows) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  RowWriter writer(out);
  EXPECT_THROW(writer.write("x\n"), std::runtime_error);
}

// What a resume does: read what is there, cut the torn tail, append the missing rows.
TEST(RowWriter, AppendAfterCuttingATornTail) {
  const fs::path file = fs::temp_directory_path() /
                        ("nnsweep_row_writer_test_" + std::to_string(::getpid()) + ".csv");
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
    const auto out = open_for_append(file.parent_path(), file.filename().string(), keep);
    RowWriter writer(*out);
    writer.write("1,b\n");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "trial_index,x\n0,a\n1,b\n");
  fs::remove(file);
}

TEST(RowWriter, AppendCreatesAMissingFile) {
  const fs::path file =
      fs::temp_directory_path() / ("nnsweep_row_writer_new_" + std::to_string(::getpid()) + ".csv");
  fs::remove(file);
  {
    const auto out = open_for_append(file.parent_path(), file.filename().string(), 0);
    RowWriter(*out).write("h\n");
  }
  EXPECT_EQ(fs::file_size(file), 2u);
  fs::remove(file);
}

TEST(RowWriter, AppendRefusesALinkAndLeavesItsTargetAlone) {
  const fs::path dir =
      fs::temp_directory_path() / ("nnsweep_row_writer_link_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  { std::ofstream(dir / "target", std::ios::binary) << "keep\n"; }
  fs::create_symlink(dir / "target", dir / "trials.csv");
  EXPECT_THROW(open_for_append(dir, "trials.csv"), nn::InputError);
  EXPECT_THROW(open_for_append(dir, "trials.csv", 0), nn::InputError);
  ASSERT_EQ(::mkfifo((dir / "curves.csv").c_str(), 0600), 0);
  EXPECT_THROW(open_for_append(dir, "curves.csv"), nn::InputError);  // refused, not blocked
  EXPECT_EQ(fs::file_size(dir / "target"), 5u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace results
