// Helpers for end-to-end tests: run the nnsweep binary in a scratch directory and read back
// what it wrote.
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include "results/csv.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace e2e {

namespace fs = std::filesystem;

struct Output {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// A fresh directory per test, removed afterwards.
class Scratch : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // The process id keeps two test runs on one machine (two checkouts) out of each other's way.
    dir_ = fs::temp_directory_path() / (std::string("nnsweep_e2e_") + info->test_suite_name() +
                                        "_" + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Runs `nnsweep ARGS` with the scratch directory as working directory.
  Output nnsweep(const std::string& args) {
    const fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
    const std::string command = "cd '" + dir_.string() + "' && '" NNSWEEP_BINARY "' " + args +
                                " >'" + out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(out), read(err)};
  }

  // Why `nnsweep_on_mpi_ranks` cannot run here (a build without MPI, no mpirun), or empty.
  std::string mpi_missing() {
    if (nnsweep("--version").out.find("with MPI") == std::string::npos)
      return "this nnsweep was built without MPI";
    return std::system("command -v mpirun >/dev/null 2>&1") == 0 ? "" : "no mpirun";
  }

  // `nnsweep ARGS` under mpirun with `ranks` ranks (rank 0 hands out and writes, the others
  // train), in the scratch directory; its exit status and its output, stdout and stderr mixed.
  Output nnsweep_on_mpi_ranks(int ranks, const std::string& args) {
    const fs::path out = dir_ / ".mpi_output";
    const std::string command =
        "cd '" + dir_.string() + "' && mpirun --allow-run-as-root --oversubscribe -np " +
        std::to_string(ranks) + " '" NNSWEEP_BINARY "' " + args + " >'" + out.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(out), ""};
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

// The length of the first `lines` lines of `text` (each ending in LF): where to cut a file to
// keep them, as a kill between two rows would.
inline std::size_t first_lines(const std::string& text, int lines) {
  std::size_t end = 0;
  for (int line = 0; line < lines; ++line) end = text.find('\n', end) + 1;
  return end;
}

// The records of a CSV file with the named columns removed (timing columns differ run to run),
// each as its remaining fields joined by commas; read with the project's RFC 4180 reader, so
// quoted fields holding commas stay whole.
inline std::vector<std::string> csv_without(const std::string& text,
                                            const std::vector<std::string>& drop) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  results::CsvReader reader(in, "csv");
  results::CsvRecord record;
  std::vector<bool> dropped;
  while (reader.next(record)) {
    if (dropped.empty())
      for (const auto& field : record.fields)
        dropped.push_back(std::find(drop.begin(), drop.end(), field.text) != drop.end());
    std::string kept;
    for (std::size_t i = 0; i < record.fields.size(); ++i)
      if (i >= dropped.size() || !dropped[i]) kept += record.fields[i].text + ",";
    lines.push_back(kept);
  }
  return lines;
}

}  // namespace e2e
