// End-to-end: every malformed sweep file and CSV file of tests/bad_inputs/ is refused with exit
// code 2 and exactly the message expected.tsv gives for it, and leaves the output directory as it
// was: not created when missing, untouched when it already holds a file.
#include <sys/stat.h>

#include <map>

#include "e2e.h"

namespace e2e {
namespace {

class BadInputs : public Scratch {};

// expected.tsv: `CASE<TAB>MESSAGE` lines; `#` starts a comment line.
std::map<std::string, std::string> read_expectations(const fs::path& path) {
  std::map<std::string, std::string> cases;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    const auto tab = line.find('\t');
    if (tab != std::string::npos) cases[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return cases;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

TEST_F(BadInputs, EachIsRefusedWithCodeTwoAndItsMessageAndWritesNothing) {
  const fs::path corpus = fs::path(NNSWEEP_SOURCE_DIR) / "tests" / "bad_inputs";
  // Symlinks stay symlinks: a dangling one is one of the cases.
  fs::copy(corpus, dir_ / "in", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  const auto cases = read_expectations(corpus / "expected.tsv");
  ASSERT_GE(cases.size(), 40u);
  // No case in the folder without an expectation.
  for (const auto& entry : fs::directory_iterator(corpus)) {
    if (entry.path().extension() == ".yaml") {
      EXPECT_EQ(cases.count(entry.path().filename().string()), 1u) << entry.path();
    }
  }

  int index = 0;
  for (const auto& [name, message] : cases) {
    SCOPED_TRACE(name);
    const fs::path out = dir_ / "out";
    fs::remove_all(out);
    // Every other case starts from an output directory that already holds a file.
    const bool existing = index++ % 2 == 1;
    fs::file_time_type written{};
    if (existing) {
      fs::create_directories(out);
      write("out/keep.txt", "precious");
      written = fs::last_write_time(out / "keep.txt");
    }
    const Output r = nnsweep("run 'in/" + name + "' --out out");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, replace_all(message, "{dir}", dir_.string()) + "\n");
    EXPECT_EQ(r.out, "");
    if (existing) {
      EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator{}), 1);
      EXPECT_EQ(read(out / "keep.txt"), "precious");
      EXPECT_EQ(fs::last_write_time(out / "keep.txt"), written);
    } else {
      EXPECT_FALSE(fs::exists(out));
    }
  }
}

// Special files cannot be committed: made here. Each says what it is, neither blocks (a FIFO
// with no writer) nor reads without end (a device), and leaves no output directory.
TEST_F(BadInputs, SpecialFilesAsSweepOrDataSayWhatTheyAreAndNeverBlock) {
  ASSERT_EQ(mkfifo((dir_ / "fifo.yaml").c_str(), 0600), 0);
  ASSERT_EQ(mkfifo((dir_ / "fifo.csv").c_str(), 0600), 0);
  fs::create_symlink("loop_b.yaml", dir_ / "loop_a.yaml");
  fs::create_symlink("loop_a.yaml", dir_ / "loop_b.yaml");
  fs::create_symlink("loop_b.csv", dir_ / "loop_a.csv");
  fs::create_symlink("loop_a.csv", dir_ / "loop_b.csv");
  const std::string data = "data: { dataset: csv, path: {}, target: y }\n";
  write("csv_fifo.yaml", replace_all(data, "{}", "fifo.csv"));
  write("csv_loop.yaml", replace_all(data, "{}", "loop_a.csv"));
  write("csv_stdin.yaml", replace_all(data, "{}", "/dev/stdin"));
  const std::map<std::string, std::string> cases = {
      {"fifo.yaml", "fifo.yaml: error: the sweep file is a FIFO (named pipe), not a regular file"},
      {"loop_a.yaml", "loop_a.yaml: error: the sweep file is a symlink loop"},
      {"/dev/zero", "/dev/zero: error: the sweep file is a character device, not a regular file"},
      {"csv_fifo.yaml", "csv_fifo.yaml:1:29: error: data.path: 'fifo.csv' is a FIFO (named pipe)"},
      {"csv_loop.yaml", "csv_loop.yaml:1:29: error: data.path: 'loop_a.csv' is a symlink loop"},
      // /dev/stdin is whatever stdin is: here /dev/null, a character device.
      {"csv_stdin.yaml",
       "csv_stdin.yaml:1:29: error: data.path: '/dev/stdin' is a character device"},
  };
  for (const auto& [file, message] : cases) {
    SCOPED_TRACE(file);
    const Output r = nnsweep("run " + file + " --out out < /dev/null");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, message + "\n");
    EXPECT_FALSE(fs::exists(dir_ / "out"));
  }
  // The same from plan, which reads the sweep file the same way.
  EXPECT_EQ(nnsweep("plan /dev/zero").exit_code, 2);
  EXPECT_EQ(nnsweep("plan fifo.yaml").exit_code, 2);
}

}  // namespace
}  // namespace e2e
