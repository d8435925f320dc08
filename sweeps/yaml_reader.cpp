#include "sweeps/yaml_reader.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "nn/csv_data.h"
#include "nn/csv_values.h"
#include "nn/input_error.h"
#include "nn/input_file.h"
#include "sweeps/suggest.h"

namespace sweeps {

Reader::Reader(std::string file, std::filesystem::path base_dir)
    : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

namespace {

// Where the second YAML document of `text` starts, if it has one. Written against the parser's
// events rather than with YAML::LoadAll, which on some inputs (a line of commas) never stops
// handing out empty documents: at most two documents are asked for, and a "second" one that
// starts where the first did is that stuck parser, not a document.
class DocumentStarts : public YAML::EventHandler {
 public:
  // Per document: where it starts, and where its root node starts (what a message points at).
  std::vector<YAML::Mark> starts, roots;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (roots.size() < starts.size()) roots.push_back(mark);
  }
};

std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts events;
  for (int k = 0; k < 2 && parser.HandleNextDocument(events); ++k) {
  }
  if (events.starts.size() < 2 || events.starts[1].pos <= events.starts[0].pos) return std::nullopt;
  return events.roots.size() > 1 ? events.roots[1] : events.starts[1];
}

}  // namespace

YAML::Node Reader::load(std::string_view text) const {
  // yaml-cpp stops its messages at a NUL byte, so a binary file would get a garbled one.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    const std::string_view before = text.substr(0, nul);
    const auto line_start = before.rfind('\n');
    throw nn::InputError(
        file_, static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1,
        static_cast<int>(line_start == std::string_view::npos ? nul + 1 : nul - line_start),
        "not a text file (it contains NUL bytes)");
  }
  next_line_ = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  return parse(std::string(text), "a sweep file");
}

YAML::Node Reader::parse(const std::string& text, std::string_view what) const {
  try {
    YAML::Node root = YAML::Load(text);
    // A second document (after `---`) would be ignored, a bad value in it with it: refuse it.
    if (const auto second = second_document(text))
      fail(*second,
           fmt::format("{} holds one YAML document; this is a second one (after '---')", what));
    return root;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own text for this is "bad file", which says nothing.
    fail(e.mark, "YAML syntax: lists or maps nested too deeply");
  } catch (const YAML::ParserException& e) {
    fail(e.mark, "YAML syntax: " + e.msg);
  }
}

YAML::Node Reader::load_argument(std::string_view text, int column, const std::string& name) {
  // Padding puts the value's first character at (next_line_, column), so marks need no
  // translation but the origin's first line.
  origins_.push_back({next_line_, name});
  std::string padded(static_cast<std::size_t>(next_line_), '\n');
  padded.append(static_cast<std::size_t>(column), ' ').append(text);
  next_line_ += static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  return parse(padded, "a command-line value");
}

std::string Reader::where(const YAML::Mark& mark) const {
  for (auto o = origins_.rbegin(); o != origins_.rend(); ++o)
    if (mark.line >= o->first_line) return fmt::format("{} column {}", o->name, mark.column + 1);
  return "line " + std::to_string(mark.line + 1);
}

void Reader::fail(const YAML::Mark& mark, const std::string& message) const {
  if (mark.is_null()) throw nn::InputError(file_, 0, 0, message);
  for (auto o = origins_.rbegin(); o != origins_.rend(); ++o)
    if (mark.line >= o->first_line)
      throw nn::InputError(o->name, mark.line - o->first_line + 1, mark.column + 1, message);
  throw nn::InputError(file_, mark.line + 1, mark.column + 1, message);
}

void Reader::fail(const YAML::Node& node, const std::string& message) const {
  fail(node.Mark(), message);
}

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return nn::quote_input(node.Scalar());
    default:
      return "nothing";
  }
}

std::vector<Reader::Entry> Reader::entries(const YAML::Node& map, const std::string& what) const {
  if (!map.IsMap())
    fail(map, what + " must be a map of 'key: value' lines, got " + describe_node(map));
  std::vector<Entry> out;
  // yaml-cpp keeps every pair of a map with a repeated key but lookups see only the first, so
  // a repeated key would silently lose a value: look for repeats here.
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) fail(key, "keys of " + what + " must be plain names");
    Entry entry{key.Scalar(), key, it->second};
    for (const Entry& earlier : out)
      if (earlier.key == entry.key)
        fail(key, "duplicate key " + nn::quote_input(entry.key) + " in " + what +
                      " (first given at line " + std::to_string(earlier.key_node.Mark().line + 1) +
                      ")");
    if (!entry.value.IsDefined() || entry.value.IsNull())
      fail(key, nn::quote_input(entry.key) + " has no value");
    out.push_back(std::move(entry));
  }
  return out;
}

namespace {

// The nearest key, or the list of valid ones when none is near.
std::string suggestion(const std::string& key, const std::vector<std::string>& allowed) {
  std::string hint = did_you_mean(key, allowed);
  if (!hint.empty()) return hint;
  for (const std::string& a : allowed) {
    hint += hint.empty() ? "; valid: " : ", ";
    hint += a;
  }
  return hint;
}

}  // namespace

std::vector<Reader::Entry> Reader::entries(const YAML::Node& map, const std::string& what,
                                           const std::vector<std::string>& allowed) const {
  std::vector<Entry> out = entries(map, what);
  for (const Entry& entry : out)
    if (std::find(allowed.begin(), allowed.end(), entry.key) == allowed.end())
      fail(entry.key_node, "unknown key " + nn::quote_input(entry.key) + " in " + what +
                               suggestion(entry.key, allowed));
  return out;
}

std::string Reader::scalar(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) fail(node, what + ": expected a single value, got " + describe_node(node));
  return node.Scalar();
}

double Reader::number(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) fail(node, what + ": expected a number, got " + describe_node(node));
  std::string_view text = node.Scalar();
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == ".inf" || lower == "-.inf" || lower == ".nan" || lower == "inf" || lower == "nan")
    fail(node, what + ": expected a finite number, got " + nn::quote_input(node.Scalar()));
  double value = 0;
  // std::from_chars: locale-independent, unlike yaml-cpp's stream-based as<double>().
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    fail(node, what + ": expected a number, got " + nn::quote_input(node.Scalar()));
  if (!std::isfinite(value))
    fail(node, what + ": expected a finite number, got " + nn::quote_input(node.Scalar()));
  return value;
}

std::int64_t Reader::integer(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) fail(node, what + ": expected an integer, got " + describe_node(node));
  std::string_view text = node.Scalar();
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    fail(node, what + ": expected an integer, got " + nn::quote_input(node.Scalar()));
  return value;
}

std::uint64_t Reader::unsigned_integer(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar())
    fail(node, what + ": expected a whole number >= 0, got " + describe_node(node));
  std::string_view text = node.Scalar();
  // YAML 1.2's core schema writes integers [-+]?[0-9]+: `+5` is 5, as for integer().
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    fail(node, what + ": expected a whole number >= 0, got " + nn::quote_input(node.Scalar()));
  return value;
}

const YAML::Node& Reader::sequence(const YAML::Node& node, const std::string& what) const {
  if (!node.IsSequence())
    fail(node, what + ": expected a list like [a, b], got " + describe_node(node));
  return node;
}

const CsvInfo& Reader::csv(const std::string& written, const YAML::Node& node) {
  if (auto it = csv_.find(written); it != csv_.end()) return it->second;
  std::filesystem::path absolute = std::filesystem::path(written);
  if (absolute.is_relative()) absolute = base_dir_ / absolute;
  absolute = absolute.lexically_normal();
  std::error_code ec;
  // Not only "no such file": a FIFO, a device or a symlink loop says what it is.
  if (const std::string why = nn::describe_non_regular(absolute.string()); !why.empty())
    fail(node, "data.path: " + nn::quote_input(written) + " " + why +
                   (why == "is a directory" ? ", not a CSV file"
                    : why.find("exist") != std::string::npos &&
                            std::filesystem::path(written).is_relative()
                        ? " (relative paths start at the sweep file's folder)"
                        : ""));
  if (absolute.is_relative()) absolute = std::filesystem::absolute(absolute, ec);
  // The header only: the rows are read once, by the parse the checks of each selection share
  // (sweeps/consistency.cpp), which throws at the CSV's own line.
  std::vector<std::string> header = nn::read_csv_header(absolute.string());
  return csv_[written] = CsvInfo{absolute, std::move(header), {}};
}

}  // namespace sweeps
