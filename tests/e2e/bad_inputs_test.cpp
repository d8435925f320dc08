// End-to-end: every malformed sweep file and CSV file of tests/bad_inputs/ is refused with exit
// code 2 and exactly the message expected.tsv gives for it, and leaves the output directory as it
// was: not created when missing, untouched when it already holds a file.
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

}  // namespace
}  // namespace e2e
