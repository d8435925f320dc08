#include "nn/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "nn/input_error.h"

namespace nn {
namespace {

namespace fs = std::filesystem;

class InputFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nnsweep_input_file_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string refusal(const fs::path& path, std::uint64_t cap = kMaxInputFileBytes) {
    try {
      read_input_file(path.string(), "CSV file", cap);
    } catch (const InputError& e) {
      return e.what();
    }
    return "read";
  }
  fs::path dir_;
};

TEST_F(InputFile, ReadsARegularFile) {
  std::ofstream(dir_ / "a.csv") << "x,y\n1,2\n";
  EXPECT_EQ(read_input_file((dir_ / "a.csv").string(), "CSV file"), "x,y\n1,2\n");
}

TEST_F(InputFile, RefusesAFifoWithoutWaitingForAWriter) {
  ASSERT_EQ(mkfifo((dir_ / "f").c_str(), 0600), 0);
  EXPECT_EQ(refusal(dir_ / "f"), "the CSV file is a FIFO (named pipe), not a regular file");
}

TEST_F(InputFile, ReadsAFileAChunkAtATime) {
  std::ofstream(dir_ / "a.csv") << "0123456789";
  nn::InputFile file((dir_ / "a.csv").string(), "CSV file");
  EXPECT_EQ(file.size(), 10u);
  char chunk[4];
  std::string text;
  for (std::size_t got; (got = file.read(chunk, sizeof chunk)) > 0;) text.append(chunk, got);
  EXPECT_EQ(text, "0123456789");
}

TEST_F(InputFile, OpeningChecksAsReadingWholeDoes) {
  ASSERT_EQ(mkfifo((dir_ / "f").c_str(), 0600), 0);
  try {
    nn::InputFile file((dir_ / "f").string(), "CSV file");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "the CSV file is a FIFO (named pipe), not a regular file");
  }
  std::ofstream(dir_ / "big.csv") << std::string(100, 'x');
  EXPECT_THROW(nn::InputFile((dir_ / "big.csv").string(), "CSV file", 99), InputError);
}

TEST_F(InputFile, RefusesADeviceWithoutReadingIt) {
  EXPECT_EQ(refusal("/dev/zero"), "the CSV file is a character device, not a regular file");
}

TEST_F(InputFile, SaysWhatIsThereWhenItIsNotAFile) {
  fs::create_symlink("b", dir_ / "a");
  fs::create_symlink("a", dir_ / "b");
  EXPECT_EQ(refusal(dir_ / "a"), "the CSV file is a symlink loop");
  fs::create_symlink("nothing", dir_ / "dangling");
  EXPECT_EQ(refusal(dir_ / "dangling"), "the CSV file is a symlink to a file that does not exist");
  EXPECT_EQ(refusal(dir_ / "missing"), "the CSV file does not exist");
  EXPECT_EQ(refusal(dir_), "the CSV file is a directory, not a regular file");
}

TEST_F(InputFile, RefusesAFileLargerThanTheCap) {
  std::ofstream(dir_ / "big") << std::string(2000, 'x');
  EXPECT_EQ(refusal(dir_ / "big", 1024),
            "the CSV file has 2000 bytes, more than the cap of 1024 bytes");
}

}  // namespace
}  // namespace nn
