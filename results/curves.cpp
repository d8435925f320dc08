#include "results/curves.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "nn/input_error.h"

namespace results {

const std::vector<std::string>& curves_header() {
  static const std::vector<std::string> header = {"trial_id",     "epoch",        "train_loss",
                                                  "val_loss",     "test_loss",    "train_accuracy",
                                                  "val_accuracy", "test_accuracy"};
  return header;
}

std::string format_curves_header() {
  return format_row(curves_header());
}

bool keep_epoch(int epoch, int last_epoch, int every) {
  return epoch % every == 0 || epoch == last_epoch;
}

namespace {

// A row's length after its trial id, at most: an epoch of 10 digits and six numbers of 24
// characters (the longest shortest form of a double), with their commas and the line break.
constexpr std::size_t kLongestRowTail = 1 + 10 + 6 * (1 + kMaxNumberText) + 1;

// Writes the row after its trial id into `out`, as append_integer and append_number would;
// returns its end. `last` holds the text of the previous row's numbers: a value equal to the
// one above it (an accuracy that stays put, a split that is absent) is copied, not formatted
// again.
class RowTail {
 public:
  char* write(char* out, const nn::EpochMetrics& m) {
    char* const end = out + kLongestRowTail;
    *out++ = ',';
    out = std::to_chars(out, end, m.epoch).ptr;
    const double values[] = {m.train_loss,     m.val_loss,     m.test_loss,
                             m.train_accuracy, m.val_accuracy, m.test_accuracy};
    for (std::size_t i = 0; i < 6; ++i) {
      *out++ = ',';
      Column& c = columns_[i];
      const auto bits = std::bit_cast<std::uint64_t>(values[i]);
      if (!c.valid || c.bits != bits) {
        c.length = static_cast<std::size_t>(write_number(c.text, values[i]) - c.text);
        c.bits = bits, c.valid = true;
      }
      out = std::copy_n(c.text, c.length, out);
    }
    *out++ = '\n';
    return out;
  }

 private:
  struct Column {
    bool valid = false;
    std::uint64_t bits = 0;
    char text[kMaxNumberText] = {};
    std::size_t length = 0;
  };
  Column columns_[6];
};

}  // namespace

void append_curve_row(std::string& out, std::string_view trial_id, const nn::EpochMetrics& m) {
  append_field(out, trial_id);
  char tail[kLongestRowTail];
  out.append(tail, RowTail().write(tail, m));
}

void append_curve_rows(std::string& out, std::string_view trial_id,
                       std::span<const nn::EpochMetrics> curve, int every,
                       std::vector<CurveSample>* samples) {
  if (curve.empty()) return;
  const int last = curve.back().epoch;
  std::string id;
  append_field(id, trial_id);
  // Room for the longest rows up front: growing the text row by row copied it several times.
  const std::size_t kept = curve.size() / static_cast<std::size_t>(every) + 2;
  out.reserve(out.size() + kept * (id.size() + kLongestRowTail));
  if (samples) samples->reserve(samples->size() + kept);
  RowTail tail;
  char text[kLongestRowTail];
  for (const auto& m : curve) {
    if (!keep_epoch(m.epoch, last, every)) continue;
    out += id;
    out.append(text, tail.write(text, m));
    if (samples) samples->push_back({m.epoch, m.train_loss, m.test_loss});
  }
}

void check_curves_header(const CsvRecord& header, const std::string& file) {
  const auto& expected = curves_header();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (i < header.size() && header[i] == expected[i]) continue;
    const CsvField& at = header.fields[std::min(i, header.size() - 1)];
    throw nn::InputError(file, at.line, at.column,
                         "not a curves.csv header: expected column '" + expected[i] + "'");
  }
  if (header.size() != expected.size()) {
    const CsvField& at = header.fields[expected.size()];
    throw nn::InputError(file, at.line, at.column, "not a curves.csv header: too many columns");
  }
}

CurvePoint parse_curve_row(const CsvRecord& row, const std::string& file) {
  if (row.size() != curves_header().size()) {
    const CsvField& at = row.fields.back();
    throw nn::InputError(file, at.line, at.column,
                         "expected " + std::to_string(curves_header().size()) + " fields, found " +
                             std::to_string(row.size()));
  }
  CurvePoint point;
  point.trial_id = row[0];
  const std::int64_t epoch = integer_field(row.fields[1], file);
  if (epoch < 0 || epoch > std::numeric_limits<int>::max())
    throw nn::InputError(file, row.fields[1].line, row.fields[1].column, "epoch out of range");
  point.metrics.epoch = static_cast<int>(epoch);
  double* values[] = {&point.metrics.train_loss,   &point.metrics.val_loss,
                      &point.metrics.test_loss,    &point.metrics.train_accuracy,
                      &point.metrics.val_accuracy, &point.metrics.test_accuracy};
  for (std::size_t i = 0; i < 6; ++i) *values[i] = number_field(row.fields[2 + i], file);
  return point;
}

void sort_curves(std::istream& in, std::ostream& out, std::span<const std::string> trial_ids,
                 const std::string& file) {
  struct Block {
    std::uint64_t begin = 0, end = 0;
  };
  // Pass 1: where each trial's last block lies. A block is a run of rows of one trial with
  // increasing epochs.
  std::unordered_map<std::string, Block> blocks;
  {
    CsvReader reader(in, file);
    CsvRecord record;
    bool have_header = false;
    std::string current;
    int last_epoch = -1;
    Block block;
    auto close = [&] {
      if (!current.empty()) blocks[current] = block;
    };
    while (reader.next(record) && !record.torn) {
      if (!have_header) {
        check_curves_header(record, file);
        have_header = true;
        continue;
      }
      CurvePoint point = parse_curve_row(record, file);
      if (point.trial_id != current || point.metrics.epoch <= last_epoch) {
        close();
        current = point.trial_id;
        block.begin = record.begin;
      }
      block.end = record.end;
      last_epoch = point.metrics.epoch;
    }
    close();
  }
  // Pass 2: copy the blocks in trial order.
  in.clear();
  out << format_curves_header();
  std::string buffer;
  for (const auto& id : trial_ids) {
    auto it = blocks.find(id);
    if (it == blocks.end()) continue;
    buffer.resize(it->second.end - it->second.begin);
    in.seekg(static_cast<std::streamoff>(it->second.begin));
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (!in) throw std::runtime_error(file + ": cannot read back curve rows");
    out << buffer;
  }
}

bool read_curves(std::istream& in, const std::string& file,
                 const std::function<void(CurvePoint&&)>& point) {
  CsvReader reader(in, file);
  CsvRecord record;
  bool header = true;
  while (reader.next(record) && !record.torn) {
    if (header) {
      check_curves_header(record, file);
      header = false;
      continue;
    }
    point(parse_curve_row(record, file));
  }
  return !header;
}

std::unordered_map<std::string, int> curve_ends(std::istream& in, const std::string& file,
                                                std::uint64_t* complete_bytes) {
  std::unordered_map<std::string, int> ends;
  CsvReader reader(in, file);
  CsvRecord record;
  bool header = true;
  std::string current;
  int last_epoch = -1;
  while (reader.next(record) && !record.torn) {
    if (std::exchange(header, false)) {
      check_curves_header(record, file);
      continue;
    }
    const CurvePoint point = parse_curve_row(record, file);
    if (point.trial_id != current || point.metrics.epoch <= last_epoch) current = point.trial_id;
    last_epoch = point.metrics.epoch;
    ends[current] = last_epoch;
  }
  if (complete_bytes) *complete_bytes = reader.complete_bytes();
  return ends;
}

}  // namespace results
