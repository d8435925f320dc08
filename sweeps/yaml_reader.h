// Reading a sweep file with positions: YAML text to nodes, map entries checked for duplicate
// and unknown keys, scalars parsed as numbers, integers or names. Every failure throws
// nn::InputError naming FILE:LINE:COL (1-based) of the node at fault. The reader also keeps
// the CSV files the sweep names (read once, for their header and row count).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "nn/dataset.h"

namespace sweeps {

// What a sweep needs to know about one of its CSV files before any training.
struct CsvInfo {
  std::filesystem::path absolute;
  std::vector<std::string> header;
  // The target/column choices whose values were already built into a dataset without error
  // (see check_consistency), with the task they make and the rows they keep (fewer than the
  // file's under data.missing: drop_rows): each is read once however many combinations share it.
  struct Checked {
    nn::Task task = nn::Task::regression;
    std::size_t rows = 0;
    std::vector<std::int64_t> class_counts;  // classification: rows of each class
    std::vector<std::string> class_names;    // ... and their labels, in the same order
  };
  mutable std::map<std::string, Checked> values_checked;
  // The file's rows, by the same choices, as the parse of each counted them.
  mutable std::map<std::string, std::size_t> rows;
};

class Reader {
 public:
  // `file` names the sweep in messages; relative paths in it resolve against `base_dir`.
  Reader(std::string file, std::filesystem::path base_dir);

  const std::string& file() const { return file_; }
  const std::filesystem::path& base_dir() const { return base_dir_; }

  // Parses YAML text; a syntax error throws at its position.
  YAML::Node load(std::string_view text) const;

  // A value given on the command line (`KEY=VALUE`), parsed as its own document whose marks lie
  // past the sweep file's last line: every message about one of its nodes, even after it is
  // merged into the file's tree, names `name` ("<argument 2>") with the column in the argument.
  // `column` (0-based) is where `text` starts in the argument.
  YAML::Node load_argument(std::string_view text, int column, const std::string& name);

  // "line 12" of the sweep file, or "<argument 2> column 5" for a node from the command line.
  std::string where(const YAML::Mark& mark) const;
  bool from_command_line(const YAML::Mark& mark) const {
    return !origins_.empty() && !mark.is_null() && mark.line >= origins_.front().first_line;
  }

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const;

  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };
  // The entries of a map in file order. `what` names the map in messages ("section 'train'").
  // Fails on a non-map, a duplicate key, a key not in `allowed` (with a suggestion) and an
  // entry without a value.
  std::vector<Entry> entries(const YAML::Node& map, const std::string& what,
                             const std::vector<std::string>& allowed) const;
  // The same without a list of allowed keys (the caller checks them).
  std::vector<Entry> entries(const YAML::Node& map, const std::string& what) const;

  // Scalars. `what` names the setting in messages ("train.learning_rate").
  double number(const YAML::Node& node, const std::string& what) const;  // finite
  std::int64_t integer(const YAML::Node& node, const std::string& what) const;
  std::uint64_t unsigned_integer(const YAML::Node& node, const std::string& what) const;
  std::string scalar(const YAML::Node& node, const std::string& what) const;
  const YAML::Node& sequence(const YAML::Node& node, const std::string& what) const;

  // The CSV file `written` (as in the sweep file, relative to base_dir); fails at `node` when
  // it does not exist. Read once per file.
  const CsvInfo& csv(const std::string& written, const YAML::Node& node);
  const std::map<std::string, CsvInfo>& csv_files() const { return csv_; }

 private:
  std::string file_;
  std::filesystem::path base_dir_;
  std::map<std::string, CsvInfo> csv_;  // by path as written
  // Where the nodes of command-line values start: marks from `first_line` on are theirs.
  struct Origin {
    int first_line;
    std::string name;
  };
  std::vector<Origin> origins_;
  mutable int next_line_ = 0;  // the first line past everything loaded so far

  YAML::Node parse(const std::string& text, std::string_view what) const;
};

// "a map", "a list", "text '...'" : what a node is, for "expected X, got Y" messages.
std::string describe_node(const YAML::Node& node);

}  // namespace sweeps
