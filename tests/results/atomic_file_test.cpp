#include "results/atomic_file.h"

#include "nn/input_error.h"
#include "scratch_dir.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace results {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public testing_support::ScratchDir {
 protected:
  // The names in the directory, sorted: what was written, and no temporary left behind.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

TEST_F(AtomicFile, ReplacesContentAndLeavesNoTemporary) {
  const std::string name = "trials.csv";
  const fs::path file = dir_ / name;
  replace_file(dir_, name, "old\n");
  replace_file(dir_, name, "new\n");
  EXPECT_EQ(read(file), "new\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"trials.csv"});
}

TEST_F(AtomicFile, StreamsLargeContent) {
  const std::string name = "curves.csv";
  const fs::path file = dir_ / name;
  replace_file(dir_, name, [](std::ostream& out) {
    for (int i = 0; i < 1000; ++i) out << i << '\n';
  });
  EXPECT_EQ(read(file).substr(0, 6), "0\n1\n2\n");
}

TEST_F(AtomicFile, FailedWriteKeepsTheOldFile) {
  const std::string name = "summary.csv";
  const fs::path file = dir_ / name;
  replace_file(dir_, name, "old\n");
  EXPECT_THROW(replace_file(dir_, name,
                            [](std::ostream& out) {
                              out << "half";
                              throw std::runtime_error("interrupted");
                            }),
               std::runtime_error);
  EXPECT_EQ(read(file), "old\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"summary.csv"});
}

TEST_F(AtomicFile, MissingDirectoryIsASystemError) {
  EXPECT_THROW(replace_file(dir_ / "no" / "such", "file", "x"), std::system_error);
}

TEST_F(AtomicFile, BatchReplacesEveryFileAtCommitAndNotBefore) {
  replace_file(dir_, "summary.csv", "old summary\n");
  FileBatch files(dir_);
  files.stage("summary.csv", "new summary\n");
  files.stage("report.html", [](std::ostream& out) { out << "<html>"; });
  // Staged, not yet committed: readers still see the old content.
  EXPECT_EQ(read(dir_ / "summary.csv"), "old summary\n");
  EXPECT_FALSE(fs::exists(dir_ / "report.html"));
  files.commit();
  EXPECT_EQ(read(dir_ / "summary.csv"), "new summary\n");
  EXPECT_EQ(read(dir_ / "report.html"), "<html>");
  EXPECT_EQ(entries(), (std::vector<std::string>{"report.html", "summary.csv"}));
}

TEST_F(AtomicFile, BatchNotCommittedLeavesTheOldFilesAndNoTemporaries) {
  replace_file(dir_, "convergence.csv", "old\n");
  {
    FileBatch files(dir_);
    files.stage("convergence.csv", "new\n");
    files.stage("convergence.md", "new\n");
    // e.g. the next file failed to be written: the batch goes out of scope uncommitted
  }
  EXPECT_EQ(read(dir_ / "convergence.csv"), "old\n");
  EXPECT_FALSE(fs::exists(dir_ / "convergence.md"));
  EXPECT_EQ(entries(), std::vector<std::string>{"convergence.csv"});
}

TEST_F(AtomicFile, BatchWriterThatThrowsLeavesNoTemporaryAndTheRestCommits) {
  replace_file(dir_, "summary.csv", "old\n");
  FileBatch files(dir_);
  files.stage("convergence.md", "table\n");
  EXPECT_THROW(files.stage("summary.csv",
                           [](std::ostream& out) {
                             out << "half";
                             throw std::runtime_error("interrupted");
                           }),
               std::runtime_error);
  EXPECT_EQ(entries().size(), 2u);  // summary.csv and convergence.md's temporary
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

TEST_F(AtomicFile, NeverWritesThroughALinkPlantedAtTheFileOrItsTemporary) {
  const fs::path outside = dir_ / "outside";
  fs::create_directories(outside);
  { std::ofstream(outside / "secret", std::ios::binary) << "keep\n"; }
  fs::create_directories(dir_ / "out");
  // The temporary's old fixed name and the file itself, both links to the file outside.
  fs::create_symlink(outside / "secret", dir_ / "out" / "summary.csv.tmp");
  replace_file(dir_ / "out", "summary.csv", "new\n");
  EXPECT_EQ(read(dir_ / "out" / "summary.csv"), "new\n");
  fs::create_symlink(outside / "secret", dir_ / "out" / "report.html");
  EXPECT_THROW(replace_file(dir_ / "out", "report.html", "new\n"), nn::InputError);
  FileBatch files(dir_ / "out");
  EXPECT_THROW(files.stage("report.html", "new\n"), nn::InputError);
  EXPECT_THROW(files.also_sync("report.html"), nn::InputError);
  EXPECT_EQ(read(outside / "secret"), "keep\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "out" / "report.html"));
}

TEST_F(AtomicFile, RefusesADirectoryOrAFifoWhereTheFileGoes) {
  fs::create_directories(dir_ / "convergence.md");
  EXPECT_THROW(replace_file(dir_, "convergence.md", "x"), nn::InputError);
  ASSERT_EQ(::mkfifo((dir_ / "summary.csv").c_str(), 0600), 0);
  FileBatch files(dir_);
  EXPECT_THROW(files.stage("summary.csv", "x"), nn::InputError);
  EXPECT_TRUE(fs::is_fifo(dir_ / "summary.csv"));
  EXPECT_EQ(entries(), (std::vector<std::string>{"convergence.md", "summary.csv"}));
}

TEST_F(AtomicFile, NeverFollowsALinkedSubdirectory) {
  fs::create_directories(dir_ / "elsewhere");
  fs::create_directories(dir_ / "out");
  fs::create_directory_symlink(dir_ / "elsewhere", dir_ / "out" / "models");
  EXPECT_THROW(replace_file(dir_ / "out", "models/x.yaml", "x"), nn::InputError);
  EXPECT_TRUE(fs::is_empty(dir_ / "elsewhere"));
  replace_file(dir_, "new/x.yaml", "made\n");  // a missing one is made
  EXPECT_EQ(read(dir_ / "new" / "x.yaml"), "made\n");
}

TEST_F(AtomicFile, RefusesNamesThatLeaveTheDirectory) {
  for (const char* name : {"", "/etc/passwd", "../x", "a/../../x", ".", "models/..", "./x"})
    EXPECT_THROW(replace_file(dir_, name, "x"), nn::InputError) << name;
  EXPECT_TRUE(fs::is_empty(dir_));
}

}  // namespace
}  // namespace results
