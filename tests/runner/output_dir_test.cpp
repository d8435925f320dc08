// The output directory: --out resolution, names, and the lock one process holds at a time.
#include "runner/output_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "nn/input_error.h"
#include "scratch_dir.h"

namespace runner {
namespace {

namespace fs = std::filesystem;

class OutputDirTest : public testing_support::ScratchDir {};

TEST_F(OutputDirTest, DotDotIsResolvedBeforeAnyCheck) {
  fs::create_directories(dir_ / "d");
  const OutputDir out = resolve_output_dir(dir_ / "d" / "missing" / "..");
  EXPECT_EQ(out.path, fs::canonical(dir_ / "d"));
  EXPECT_FALSE(fs::exists(dir_ / "d" / "missing"));
  EXPECT_EQ(resolve_output_dir("runs/lesson").shown, "runs/lesson");  // kept in the user's words
}

TEST_F(OutputDirTest, SweepNamesThatAreNotOneDirectoryAreRefused) {
  for (const char* name : {".", "..", "", "a/b", "bell\a"})
    EXPECT_THROW(default_output_dir(name, "s.yaml"), nn::InputError) << name;
  EXPECT_EQ(default_output_dir("lesson", "s.yaml"), fs::path("runs") / "lesson");
  EXPECT_EQ(default_output_dir("...", "s.yaml"), fs::path("runs") / "...");
}

TEST_F(OutputDirTest, AStaleLockFileAloneLeavesTheDirectoryEmpty) {
  EXPECT_TRUE(is_empty_output_dir(dir_ / "missing"));
  { std::ofstream(dir_ / ".nnsweep.lock") << "nnsweep run (pid 1 on host gone)\n"; }
  EXPECT_TRUE(is_empty_output_dir(dir_));
  { std::ofstream(dir_ / "notes.txt") << "x"; }
  EXPECT_FALSE(is_empty_output_dir(dir_));
}

TEST_F(OutputDirTest, ASecondLockIsRefusedNamingTheHolder) {
  std::optional<OutputLock> first(std::in_place, dir_, "out", "run");
  const std::string record = read(dir_ / ".nnsweep.lock");
  EXPECT_NE(record.find("nnsweep run (pid " + std::to_string(::getpid()) + " on host "),
            std::string::npos)
      << record;
  ASSERT_TRUE(lock_holder(dir_).has_value());
  EXPECT_EQ(*lock_holder(dir_) + "\n", record);
  try {
    OutputLock second(dir_, "out", "report");
    FAIL() << "a second lock was granted";
  } catch (const DirectoryInUse& e) {
    EXPECT_NE(std::string(e.what()).find("out is in use by nnsweep run (pid "), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(read(dir_ / ".nnsweep.lock"), record);  // the refused one changed nothing
  first.reset();
  EXPECT_FALSE(fs::exists(dir_ / ".nnsweep.lock"));
  EXPECT_FALSE(lock_holder(dir_).has_value());
  const OutputLock again(dir_, "out", "merge");
  EXPECT_NE(read(dir_ / ".nnsweep.lock").find("nnsweep merge"), std::string::npos);
}

TEST_F(OutputDirTest, ALockFileLeftByADeadProcessIsTakenOver) {
  { std::ofstream(dir_ / ".nnsweep.lock") << "nnsweep run (pid 999999 on host gone)\n"; }
  EXPECT_FALSE(lock_holder(dir_).has_value());  // no process holds it: the kernel decides
  const OutputLock lock(dir_, "out", "run");
  EXPECT_EQ(read(dir_ / ".nnsweep.lock").find("999999"), std::string::npos);
}

TEST_F(OutputDirTest, ALinkAsTheLockFileIsRefusedAndNotFollowed) {
  { std::ofstream(dir_ / "target") << "keep\n"; }
  fs::create_symlink(dir_ / "target", dir_ / ".nnsweep.lock");
  EXPECT_THROW(OutputLock(dir_, "out", "run"), nn::InputError);
  EXPECT_EQ(read(dir_ / "target"), "keep\n");
}

TEST_F(OutputDirTest, LinksAndSpecialFilesWhereOutputsGoAreRefused) {
  check_output_entries(dir_);  // nothing there yet
  { std::ofstream(dir_ / "trials.csv") << "x\n"; }
  fs::create_directories(dir_ / "models");
  check_output_entries(dir_);  // what nnsweep itself writes
  fs::create_symlink(dir_ / "trials.csv", dir_ / "curves.csv");
  EXPECT_THROW(check_output_entries(dir_), nn::InputError);
  fs::remove(dir_ / "curves.csv");
  ASSERT_EQ(::mkfifo((dir_ / "summary.csv").c_str(), 0600), 0);
  EXPECT_THROW(check_output_entries(dir_), nn::InputError);
  fs::remove(dir_ / "summary.csv");
  fs::remove(dir_ / "models");
  fs::create_directory_symlink(dir_, dir_ / "models");
  EXPECT_THROW(check_output_entries(dir_), nn::InputError);
}

}  // namespace
}  // namespace runner
