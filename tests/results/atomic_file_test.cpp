#include "results/atomic_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace results {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nnsweep_atomic_" +
            std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(AtomicFile, ReplacesContentAndLeavesNoTemporary) {
  const fs::path file = dir_ / "trials.csv";
  replace_file(file, "old\n");
  replace_file(file, "new\n");
  EXPECT_EQ(read(file), "new\n");
  EXPECT_FALSE(fs::exists(dir_ / "trials.csv.tmp"));
}

TEST_F(AtomicFile, StreamsLargeContent) {
  const fs::path file = dir_ / "curves.csv";
  replace_file(file, [](std::ostream& out) {
    for (int i = 0; i < 1000; ++i) out << i << '\n';
  });
  EXPECT_EQ(read(file).substr(0, 6), "0\n1\n2\n");
}

TEST_F(AtomicFile, FailedWriteKeepsTheOldFile) {
  const fs::path file = dir_ / "summary.csv";
  replace_file(file, "old\n");
  EXPECT_THROW(replace_file(file,
                            [](std::ostream& out) {
                              out << "half";
                              throw std::runtime_error("interrupted");
                            }),
               std::runtime_error);
  EXPECT_EQ(read(file), "old\n");
  EXPECT_FALSE(fs::exists(dir_ / "summary.csv.tmp"));
}

TEST_F(AtomicFile, MissingDirectoryIsASystemError) {
  EXPECT_THROW(replace_file(dir_ / "no" / "such" / "file", "x"), std::system_error);
}

}  // namespace
}  // namespace results
