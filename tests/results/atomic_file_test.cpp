#include "results/atomic_file.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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

TEST_F(AtomicFile, BatchReplacesEveryFileAtCommitAndNotBefore) {
  replace_file(dir_ / "summary.csv", "old summary\n");
  FileBatch files(dir_);
  files.stage("summary.csv", "new summary\n");
  files.stage("report.html", [](std::ostream& out) { out << "<html>"; });
  // Staged, not yet committed: readers still see the old content.
  EXPECT_EQ(read(dir_ / "summary.csv"), "old summary\n");
  EXPECT_FALSE(fs::exists(dir_ / "report.html"));
  files.commit();
  EXPECT_EQ(read(dir_ / "summary.csv"), "new summary\n");
  EXPECT_EQ(read(dir_ / "report.html"), "<html>");
  EXPECT_FALSE(fs::exists(dir_ / "summary.csv.tmp"));
  EXPECT_FALSE(fs::exists(dir_ / "report.html.tmp"));
}

TEST_F(AtomicFile, BatchNotCommittedLeavesTheOldFilesAndNoTemporaries) {
  replace_file(dir_ / "convergence.csv", "old\n");
  {
    FileBatch files(dir_);
    files.stage("convergence.csv", "new\n");
    files.stage("convergence.md", "new\n");
    // e.g. the next file failed to be written: the batch goes out of scope uncommitted
  }
  EXPECT_EQ(read(dir_ / "convergence.csv"), "old\n");
  EXPECT_FALSE(fs::exists(dir_ / "convergence.md"));
  EXPECT_FALSE(fs::exists(dir_ / "convergence.csv.tmp"));
  EXPECT_FALSE(fs::exists(dir_ / "convergence.md.tmp"));
}

TEST_F(AtomicFile, BatchWriterThatThrowsLeavesNoTemporaryAndTheRestCommits) {
  replace_file(dir_ / "summary.csv", "old\n");
  FileBatch files(dir_);
  files.stage("convergence.md", "table\n");
  EXPECT_THROW(files.stage("summary.csv",
                           [](std::ostream& out) {
                             out << "half";
                             throw std::runtime_error("interrupted");
                           }),
               std::runtime_error);
  EXPECT_FALSE(fs::exists(dir_ / "summary.csv.tmp"));
  files.commit();
  EXPECT_EQ(read(dir_ / "summary.csv"), "old\n");
  EXPECT_EQ(read(dir_ / "convergence.md"), "table\n");
}

TEST_F(AtomicFile, BatchSyncsAppendedFilesWithoutTouchingThem) {
  { std::ofstream(dir_ / "trials.csv", std::ios::binary) << "header\nrow\n"; }
  FileBatch files(dir_);
  files.also_sync("trials.csv");
  files.stage("manifest.yaml", "finished: yes\n");
  files.commit();
  EXPECT_EQ(read(dir_ / "trials.csv"), "header\nrow\n");
  EXPECT_EQ(read(dir_ / "manifest.yaml"), "finished: yes\n");
}

TEST_F(AtomicFile, BatchNamesAMissingFileInItsError) {
  FileBatch files(dir_);
  try {
    files.also_sync("curves.csv");
    FAIL() << "no error for a missing file";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("curves.csv"), std::string::npos) << e.what();
  }
  FileBatch elsewhere(dir_ / "no" / "such" / "dir");
  EXPECT_THROW(elsewhere.stage("summary.csv", "x"), std::system_error);
}

TEST_F(AtomicFile, BatchTakesFilesFromSeveralThreads) {
  FileBatch files(dir_);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&files, t] {
      for (int i = 0; i < 8; ++i)
        files.stage(fmt::format("f{}_{}.csv", t, i), fmt::format("{}", t * 8 + i));
    });
  for (std::thread& w : writers) w.join();
  files.commit();
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 8; ++i)
      EXPECT_EQ(read(dir_ / fmt::format("f{}_{}.csv", t, i)), fmt::format("{}", t * 8 + i));
}

}  // namespace
}  // namespace results
