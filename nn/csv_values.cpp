#include "nn/csv_values.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <list>
#include <mutex>
#include <new>

#include <sys/mman.h>
#include <unistd.h>

#include "nn/csv_data.h"
#include "nn/input_error.h"
#include "nn/input_file.h"
#include "nn/number.h"

namespace nn {

CellMatrix::~CellMatrix() {
  std::free(data_);
}

void CellMatrix::reserve(Eigen::Index capacity) {
  // realloc moves the pages of a large block rather than copying them: no second copy of the
  // data lives, however often it grows.
  const auto bytes =
      static_cast<std::size_t>(std::max<Eigen::Index>(rows_ * capacity, 1)) * sizeof(double);
  auto* grown = static_cast<double*>(std::realloc(data_, bytes));
  if (!grown) throw std::bad_alloc();
  data_ = grown;
  capacity_ = capacity;
  // Huge pages where the kernel gives them on request: a page fault per 4 KiB of a large table
  // costs as much as parsing it.
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(data_) + page - 1) / page * page;
  const auto end = reinterpret_cast<std::uintptr_t>(data_) + bytes;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

void CellMatrix::reset(Eigen::Index features, Eigen::Index capacity) {
  rows_ = features;
  cols_ = 0;
  reserve(std::max<Eigen::Index>(capacity, 16));
}

double* CellMatrix::append() {
  if (cols_ == capacity_) reserve(capacity_ + capacity_ / 2 + 16);
  return data_ + rows_ * cols_++;
}

void CellMatrix::shrink() {
  if (cols_ < capacity_) reserve(cols_);
}

namespace {

constexpr double kMaxWholeTarget = 9007199254740992.0;  // 2^53: beyond it every double is whole

CsvField field_of(const CsvCell& cell) {
  return {std::string(cell.text), cell.line, cell.column};
}

CsvColumns choose_columns(const std::vector<std::string>& header, const DataConfig& config) {
  const auto column_of = [&](const std::string& name) -> std::size_t {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end())
      throw InputError(config.path, 1, 1,
                       "no column named " + nn::quote_input(name) + " in the header");
    return static_cast<std::size_t>(it - header.begin());
  };
  CsvColumns columns;
  columns.target = column_of(config.target);
  for (const auto& name : config.columns) columns.features.push_back(column_of(name));
  if (config.columns.empty())
    for (std::size_t c = 0; c < header.size(); ++c)
      if (c != columns.target) columns.features.push_back(c);
  if (columns.features.empty()) throw InputError(config.path, 1, 1, "no feature columns");
  return columns;
}

[[noreturn]] void refuse_missing(const CsvCell& cell, const std::string& name,
                                 const std::string& path) {
  throw InputError(path, cell.line, cell.column,
                   "column " + nn::quote_input(name) +
                       ": missing value; set data.missing: drop_rows (leave such rows out) or "
                       "data.missing: mean (fill in the training split's mean) to accept empty "
                       "cells");
}

// A number beyond a double's range (`1e999`): parse_number refuses it, but it is no category.
bool out_of_range(std::string_view text) {
  const auto start = text.find_first_not_of(' ');
  const auto end = text.find_last_not_of(' ');
  if (start == std::string_view::npos) return false;
  text = text.substr(start, end - start + 1);
  if (text.starts_with('+')) text.remove_prefix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc::result_out_of_range && ptr == text.data() + text.size();
}

// Turns rows of cells into CsvValues, refusing a bad cell where it is: the same for every
// reader, so the plain reader and the general one make the same values and the same errors.
class ValueBuilder {
 public:
  ValueBuilder(const DataConfig& config, std::size_t target_texts)
      : config_(config), target_texts_(target_texts), values_(std::make_shared<CsvValues>()) {}

  std::vector<std::string>& header() { return values_->header; }
  // One row, its cells indexed by column; `bytes` (its length) sizes the storage at the first.
  // After a cell's problem the rows are only counted.
  void row(const CsvCell* cells, std::size_t bytes);
  std::shared_ptr<CsvValues> finish();

 private:
  void values_of(const CsvCell* cells, std::size_t bytes);
  void first_row(std::size_t bytes);
  double feature(const CsvCell& cell, std::size_t f);
  double text_code(const CsvCell& cell, std::size_t f);
  void target(const CsvCell& cell);
  std::uint32_t target_code(std::string_view text);
  void check_mixed() const;
  void check_ranges() const;

  const DataConfig& config_;
  std::size_t target_texts_;
  std::shared_ptr<CsvValues> values_;
  std::uint32_t last_code_ = 0;
};

void ValueBuilder::first_row(std::size_t bytes) {
  CsvValues& v = *values_;
  v.columns = choose_columns(v.header, config_);
  v.text.resize(v.columns.features.size());
  std::error_code error;
  const auto file = std::filesystem::file_size(config_.path, error);
  // Rows vary in length: a quarter more room than the first row suggests. Room not written
  // costs no memory (its pages are never touched) and is given back at the end.
  const auto rows = error ? 1024 : file / (bytes + 1) * 5 / 4 + 1024;
  v.x.reset(static_cast<Eigen::Index>(v.columns.features.size()), static_cast<Eigen::Index>(rows));
}

void ValueBuilder::row(const CsvCell* cells, std::size_t bytes) {
  const std::size_t before = values_->rows;
  if (!values_->error) try {
      values_of(cells, bytes);
      return;
    } catch (const InputError&) {
      values_->error = std::current_exception();
    }
  values_->rows = before + 1;
}

void ValueBuilder::values_of(const CsvCell* cells, std::size_t bytes) {
  CsvValues& v = *values_;
  if (v.rows == 0) first_row(bytes);
  double* out = v.x.append();
  bool missing = false;
  for (std::size_t f = 0; f < v.columns.features.size(); ++f) {
    out[f] = feature(cells[v.columns.features[f]], f);
    missing |= std::isnan(out[f]);
  }
  ++v.rows;
  if (missing && config_.missing == Missing::drop_rows) {
    v.x.drop_last();  // left out before the split; its target is never read
    ++v.dropped;
    return;
  }
  target(cells[v.columns.target]);
}

double ValueBuilder::feature(const CsvCell& cell, std::size_t f) {
  TextColumn& column = values_->text[f];
  if (cell.text.empty()) {
    if (config_.missing == Missing::error)
      refuse_missing(cell, values_->header[values_->columns.features[f]], config_.path);
    return kMissingCell;
  }
  const auto value = parse_number(cell.text);
  if (!value && !out_of_range(cell.text)) return text_code(cell, f);
  if (!value || !std::isfinite(*value))
    throw InputError(config_.path, cell.line, cell.column,
                     "column " + nn::quote_input(values_->header[values_->columns.features[f]]) +
                         ": " + nn::quote_input(cell.text) + " is not a finite number");
  if (!column.first_number) column.first_number = field_of(cell);
  ++column.numbers;
  if (*value > column.max) column.max = *value, column.max_row = values_->rows;
  if (*value < column.min) column.min = *value, column.min_row = values_->rows;
  return *value;
}

// The code of a text cell, refused without data.categorical onehot and beyond kMaxCategories.
double ValueBuilder::text_code(const CsvCell& cell, std::size_t f) {
  const std::string& name = values_->header[values_->columns.features[f]];
  TextColumn& column = values_->text[f];
  if (config_.categorical != Categorical::onehot)
    throw InputError(config_.path, cell.line, cell.column,
                     "column " + nn::quote_input(name) + ": " + nn::quote_input(cell.text) +
                         " is not a number; to use a column of text (categories) as a feature, "
                         "set data.categorical: onehot");
  if (!column.first_text) column.first_text = field_of(cell);
  ++column.text_cells;
  const auto [it, fresh] = column.codes.emplace(std::string(cell.text), column.texts.size());
  if (fresh) {
    if (column.texts.size() == static_cast<std::size_t>(kMaxCategories))
      throw InputError(config_.path, cell.line, cell.column,
                       "column " + nn::quote_input(name) + ": " + nn::quote_input(cell.text) +
                           " makes " + std::to_string(kMaxCategories + 1) +
                           " distinct texts, more than the " + std::to_string(kMaxCategories) +
                           " categories data.categorical: onehot encodes (README, \"Limits\"); "
                           "leave the column out with data.columns");
    column.texts.emplace_back(cell.text);
  }
  return it->second;
}

// Notes the first target cell of each kind a dataset may refuse; which refusal applies
// depends on the task, known once every row is read.
void ValueBuilder::target(const CsvCell& cell) {
  TargetCells& t = values_->target;
  const auto value = parse_number(cell.text);
  if (cell.text.empty() || (value && !std::isfinite(*value))) {
    if (!t.first_bad) t.first_bad = field_of(cell);
  } else if (!value) {
    t.numeric = false;
    if (!t.first_text) t.first_text = field_of(cell);
  } else {
    if (*value != std::floor(*value) || std::abs(*value) > kMaxWholeTarget) t.whole = false;
    if (std::abs(*value) > kMaxRegressionTarget && !t.first_huge) t.first_huge = field_of(cell);
  }
  t.value.push_back(value ? *value : kMissingCell);
  t.code.push_back(target_code(cell.text));
}

std::uint32_t ValueBuilder::target_code(std::string_view text) {
  TargetCells& t = values_->target;
  if (last_code_ < t.texts.size() && t.texts[last_code_] == text) return last_code_;
  if (const auto it = t.codes.find(text); it != t.codes.end()) return last_code_ = it->second;
  if (t.texts.size() >= target_texts_) {
    t.overflow = true;
    return std::numeric_limits<std::uint32_t>::max();
  }
  last_code_ = static_cast<std::uint32_t>(t.texts.size());
  t.codes.emplace(std::string(text), last_code_);
  t.texts.emplace_back(text);
  return last_code_;
}

// A column of numbers with a stray text ("n/a", "?") would otherwise become a onehot column
// of every number it holds: refused, at the first cell of the rarer kind.
void ValueBuilder::check_mixed() const {
  const CsvValues& v = *values_;
  for (std::size_t f = 0; f < v.text.size(); ++f) {
    const TextColumn& column = v.text[f];
    if (!column.first_text || !column.first_number) continue;
    const bool text_rarer = column.text_cells <= column.numbers;
    const CsvField& here = text_rarer ? *column.first_text : *column.first_number;
    const CsvField& other = text_rarer ? *column.first_number : *column.first_text;
    throw InputError(
        config_.path, here.line, here.column,
        "column " + nn::quote_input(v.header[v.columns.features[f]]) + " holds " +
            std::to_string(column.numbers) + " numbers and " + std::to_string(column.text_cells) +
            " texts (" + nn::quote_input(here.text) + " here, " + nn::quote_input(other.text) +
            " at " + std::to_string(other.line) + ":" + std::to_string(other.column) +
            "); a feature column is numbers or text (categories), not both: leave a missing "
            "value empty, or make every category a name");
  }
}

// A column whose range does not fit a double cannot be standardised: the message names its
// largest value's position and both extremes.
void ValueBuilder::check_ranges() const {
  const CsvValues& v = *values_;
  for (std::size_t f = 0; f < v.columns.features.size(); ++f) {
    const TextColumn& column = v.text[f];
    if (!column.texts.empty() || column.numbers == 0 || std::isfinite(column.max - column.min))
      continue;
    const std::size_t c = v.columns.features[f];
    const CsvField high = csv_field_at(config_.path, column.max_row, c);
    const CsvField low = csv_field_at(config_.path, column.min_row, c);
    throw InputError(config_.path, high.line, high.column,
                     "column " + nn::quote_input(v.header[c]) + ": its values span from " +
                         nn::quote_input(low.text) + " to " + nn::quote_input(high.text) +
                         ", a range too wide to standardise in double precision; rescale the "
                         "column");
  }
}

std::shared_ptr<CsvValues> ValueBuilder::finish() {
  values_->x.shrink();
  if (!values_->error) try {
      check_mixed();
      check_ranges();
      if (values_->rows > 0 && values_->x.cols() == 0)
        throw InputError(config_.path, 2, 1,
                         "every row has a missing feature value, and data.missing: drop_rows "
                         "leaves none; try data.missing: mean");
    } catch (const InputError&) {
      values_->error = std::current_exception();
    }
  return std::move(values_);
}

// Bytes read at a time by the plain reader, and at first for a header alone.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
constexpr std::size_t kHeaderChunkBytes = std::size_t{1} << 14;

// UTF-8 text, eight ASCII bytes at a time.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint64_t word = 0;
    if (i + 8 <= text.size()) {
      std::memcpy(&word, text.data() + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// Reads a plain CSV file (no quotes, no NUL, UTF-8, lines ending in LF or CRLF) a chunk of
// whole lines at a time, handing each row's cells to the builder as views of the chunk.
// read() is false for a file that is not plain or not well formed: the general reader then
// reads it and says what is wrong.
class PlainReader {
 public:
  using Row = std::function<void(const CsvCell* cells, std::size_t bytes)>;
  PlainReader(const std::string& path, std::vector<std::string>& header, Row row)
      : path_(path), input_(path, "CSV file"), header_(header), row_(std::move(row)) {}
  bool read();
  // Reads up to the header: false where read() would hand the file to the general reader
  // for a reason in the first chunk.
  bool read_header();

 private:
  std::size_t fill(std::size_t carried);
  bool chunk(std::string_view text, bool first);
  bool line(std::string_view text, bool carriage_returns);
  bool quoted_record(std::string_view text, std::size_t& at);
  bool quoted_field(std::string_view text, std::size_t& at, std::size_t& line_start, CsvCell& cell,
                    std::size_t& unquoted);
  bool take(std::size_t bytes);

  std::string path_;
  InputFile input_;
  std::vector<std::string>& header_;
  Row row_;
  std::string buffer_;
  std::size_t size_ = 0;  // bytes of buffer_ read
  bool eof_ = false;
  int line_ = 1;
  bool header_read_ = false, any_row_ = false;
  bool header_only_ = false;
  std::size_t chunk_bytes_ = kChunkBytes;
  std::vector<CsvCell> cells_;
  std::deque<std::string> scratch_;  // unquoted cells; a deque keeps each one in place
};

// The bytes of `text` (which starts a record) up to its last line break outside quotes; 0 for
// none. Quotes come in pairs in a well-formed file ("" inside a field is a pair too); in any
// other the records read stop at the stray quote before they reach the cut.
std::size_t end_of_records(std::string_view text) {
  std::size_t end = 0;
  for (std::size_t from = 0;;) {
    const std::size_t quote = std::min(text.find('"', from), text.size());
    const std::size_t last = text.substr(from, quote - from).rfind('\n');
    if (last != std::string_view::npos) end = from + last + 1;
    if (quote == text.size()) return end;
    const std::size_t close = text.find('"', quote + 1);
    if (close == std::string_view::npos) return end;
    from = close + 1;
  }
}

// Reads on after the `carried` bytes until the buffer holds a line break past them (or the
// file ends); returns the bytes up to the last line break (all of them at the end).
std::size_t PlainReader::fill(std::size_t carried) {
  size_ = carried;
  for (;;) {
    // Room for a chunk after what is carried (a line longer than a chunk grows it).
    if (buffer_.size() < size_ + chunk_bytes_) buffer_.resize(2 * (size_ + chunk_bytes_));
    const std::size_t got = input_.read(buffer_.data() + size_, buffer_.size() - size_);
    eof_ = got == 0;
    const std::string_view fresh(buffer_.data() + size_, got);
    size_ += got;
    if (eof_) return size_;
    const std::string_view all(buffer_.data(), size_);
    if (all.find('"') != std::string_view::npos) {
      if (const auto end = end_of_records(all)) return end;
    } else if (const auto last = fresh.rfind('\n'); last != std::string_view::npos) {
      return size_ - got + last + 1;
    }
  }
}

bool PlainReader::read() {
  std::size_t carried = 0;
  for (bool first = true; !eof_; first = false) {
    const std::size_t end = fill(carried);
    if (!chunk(std::string_view(buffer_.data(), end), first)) return false;
    // The bytes read past the last line break start the next chunk.
    carried = size_ - end;
    std::memmove(buffer_.data(), buffer_.data() + end, carried);
  }
  return any_row_;
}

bool PlainReader::read_header() {
  header_only_ = true;
  chunk_bytes_ = kHeaderChunkBytes;
  const std::string_view text(buffer_.data(), fill(0));
  // The first line only: the rest is the parse's to check.
  return chunk(text.substr(0, text.find('\n')), true) && header_read_;
}

bool PlainReader::chunk(std::string_view text, bool first) {
  if (text.find('\0') != std::string_view::npos || !is_utf8(text)) return false;
  if (first && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const bool carriage_returns = text.find('\r') != std::string_view::npos;
  std::size_t at = 0;
  while (at < text.size() && !(header_only_ && header_read_)) {
    const std::size_t next = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, next - at);
    // A line without a quote is cut at its commas; a record with quoted fields (which may
    // hold commas and line breaks) is scanned a field at a time.
    const bool plain = line.find('"') == std::string_view::npos;
    if (!(plain ? this->line(line, carriage_returns) : quoted_record(text, at))) return false;
    if (plain) at = next + 1;
  }
  return true;
}

bool PlainReader::line(std::string_view text, bool carriage_returns) {
  const int number = line_++;
  if (carriage_returns) {
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (text.find('\r') != std::string_view::npos) return false;  // a lone CR ends a line too
  }
  if (text.empty()) return true;
  cells_.clear();
  for (std::size_t start = 0;;) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma - start > static_cast<std::size_t>(kMaxCsvCellBytes)) return false;
    cells_.push_back({text.substr(start, comma - start), number, static_cast<int>(start) + 1});
    if (comma == text.size()) break;
    start = comma + 1;
  }
  return take(text.size());
}

// One record from `at` (the start of a line) to past its line break, its quoted fields
// unquoted ("" inside one is a quote) into scratch_ where they hold a doubled quote. Lines and
// columns are counted as the general reader counts them: a line break inside quotes starts a
// line. False for what only the general reader reports: a quote inside an unquoted field,
// text after a closing quote, a quote never closed, a lone CR, a cell too long.
bool PlainReader::quoted_record(std::string_view text, std::size_t& at) {
  const std::size_t begin = at;
  std::size_t line_start = at, unquoted = 0;
  cells_.clear();
  for (;;) {
    CsvCell cell{{}, line_, static_cast<int>(at - line_start) + 1};
    if (at < text.size() && text[at] == '"') {
      if (!quoted_field(text, at, line_start, cell, unquoted)) return false;
    } else {
      const std::size_t end = std::min(text.find_first_of(",\n\r\"", at), text.size());
      if (end < text.size() && text[end] == '"') return false;
      cell.text = text.substr(at, end - at);
      at = end;
    }
    if (cell.text.size() > static_cast<std::size_t>(kMaxCsvCellBytes)) return false;
    cells_.push_back(cell);
    if (at < text.size() && text[at] == ',') {
      ++at;
      continue;
    }
    if (at < text.size() && text[at] == '\r' && (at + 1 == text.size() || text[at + 1] != '\n'))
      return false;
    at = std::min(text.find('\n', at), text.size()) + 1;
    ++line_;
    break;
  }
  if (cells_.size() == 1 && cells_[0].text.empty()) return true;  // a line of "" is blank
  return take(std::min(at, text.size()) - begin);
}

// The quoted field at `at`, left past its closing quote (which must end the field).
bool PlainReader::quoted_field(std::string_view text, std::size_t& at, std::size_t& line_start,
                               CsvCell& cell, std::size_t& unquoted) {
  const std::size_t open = at + 1;
  std::size_t close = open;
  bool doubled = false;
  for (;; close += 2) {
    close = text.find('"', close);
    if (close == std::string_view::npos) return false;  // never closed
    if (close + 1 == text.size() || text[close + 1] != '"') break;
    doubled = true;
  }
  for (std::size_t i = text.find('\n', open); i < close; i = text.find('\n', i + 1))
    ++line_, line_start = i + 1;
  cell.text = text.substr(open, close - open);
  if (doubled) {
    if (unquoted == scratch_.size()) scratch_.emplace_back();
    std::string& out = scratch_[unquoted++];
    out.clear();
    for (std::size_t i = open; i < close; ++i) {
      out += text[i];
      if (text[i] == '"') ++i;  // the second of a doubled quote
    }
    cell.text = out;
  }
  at = close + 1;
  return at == text.size() || text[at] == ',' || text[at] == '\n' || text[at] == '\r';
}

// Hands a record's cells over: the first is the header, the others rows as wide as it.
bool PlainReader::take(std::size_t bytes) {
  if (header_read_) {
    if (cells_.size() != header_.size()) return false;
    row_(cells_.data(), bytes);
    any_row_ = true;
    return true;
  }
  CsvRecord header;
  for (const CsvCell& cell : cells_) header.fields.push_back(field_of(cell));
  check_csv_header(path_, header);
  for (CsvField& field : header.fields) header_.push_back(std::move(field.text));
  header_read_ = true;
  return true;
}

// The values of a file: by the plain reader, or else by the general one, which finds every
// problem (a NUL anywhere before a bad cell, say) in the order users are told of them.
std::shared_ptr<CsvValues> read_values(const DataConfig& config, std::size_t target_texts) {
  try {
    ValueBuilder plain(config, target_texts);
    PlainReader reader(config.path, plain.header(),
                       [&](const CsvCell* cells, std::size_t bytes) { plain.row(cells, bytes); });
    if (reader.read()) return plain.finish();
  } catch (const InputError&) {
    // Reported by the general reader below, after any problem it looks for first.
  }
  ValueBuilder general(config, target_texts);
  std::vector<CsvCell> cells;
  read_csv_rows(config.path, general.header(), [&](const CsvRecord& record) {
    cells.clear();
    for (const CsvField& field : record.fields)
      cells.push_back({field.text, field.line, field.column});
    general.row(cells.data(), record.end - record.begin);
  });
  return general.finish();
}

// What names one parse: the selection, then the file as it is now.
std::string cache_key(const DataConfig& config) {
  std::error_code error;
  const auto size = std::filesystem::file_size(config.path, error);
  const auto time = std::filesystem::last_write_time(config.path, error);
  return csv_selection(config) + '\n' + std::to_string(size) + '\n' +
         std::to_string(time.time_since_epoch().count());
}

// The parses kept: a few, most recently used first (a sweep's data settings are its outer
// axes, so its configurations come in runs of one selection).
constexpr std::size_t kKeptParses = 4;

}  // namespace

std::string csv_selection(const DataConfig& config) {
  std::string key = config.path + '\n' + std::string(to_string(config.categorical)) + '\n' +
                    std::string(to_string(config.missing)) + '\n' + config.target;
  for (const std::string& column : config.columns) key += '\n' + column;
  return key;
}

namespace {

struct Kept {
  std::mutex mutex;
  int holders = 0;
  std::list<std::pair<std::string, std::shared_ptr<const CsvValues>>> parses;
};

Kept& kept() {
  static Kept instance;
  return instance;
}

}  // namespace

CsvValuesKept::CsvValuesKept() {
  const std::lock_guard lock(kept().mutex);
  ++kept().holders;
}

CsvValuesKept::~CsvValuesKept() {
  const std::lock_guard lock(kept().mutex);
  if (--kept().holders == 0) kept().parses.clear();
}

namespace {

// The kept parse named `key`, or the end. REQUIRES k.mutex held.
auto find_kept(Kept& k, const std::string& key) {
  return std::find_if(k.parses.begin(), k.parses.end(),
                      [&](const auto& kept) { return kept.first == key; });
}

// The parse of config's selection, kept while a CsvValuesKept lives; a cell's problem is in it.
std::shared_ptr<const CsvValues> kept_values(const DataConfig& config) {
  Kept& k = kept();
  const std::string key = cache_key(config);
  // Held while reading: two threads asking for one file read it once.
  const std::lock_guard lock(k.mutex);
  if (k.holders == 0) return read_values(config, kMaxClasses + 1);
  if (const auto it = find_kept(k, key); it != k.parses.end()) {
    k.parses.splice(k.parses.begin(), k.parses, it);
    return it->second;
  }
  std::shared_ptr<const CsvValues> values = read_values(config, kMaxClasses + 1);
  k.parses.emplace_front(key, values);
  if (k.parses.size() > kKeptParses) k.parses.pop_back();
  return values;
}

std::shared_ptr<const CsvValues> valid(std::shared_ptr<const CsvValues> values) {
  if (values->error) std::rethrow_exception(values->error);
  return values;
}

}  // namespace

std::shared_ptr<const CsvValues> csv_values(const DataConfig& config) {
  return valid(kept_values(config));
}

std::size_t csv_rows(const DataConfig& config) {
  return kept_values(config)->rows;
}

std::shared_ptr<CsvValues> take_csv_values(const DataConfig& config) {
  Kept& k = kept();
  const std::string key = cache_key(config);
  std::shared_ptr<const CsvValues> values;
  {
    const std::lock_guard lock(k.mutex);
    if (const auto it = find_kept(k, key); it != k.parses.end()) {
      if (it->second.use_count() > 1) return nullptr;
      values = std::move(it->second);
      k.parses.erase(it);
    }
  }
  // Made non-const by read_values; only this holder is left to change it.
  return std::const_pointer_cast<CsvValues>(
      valid(values ? std::move(values) : read_values(config, kMaxClasses + 1)));
}

bool holds_csv_values(const DataConfig& config) {
  Kept& k = kept();
  const std::string selection = csv_selection(config) + '\n';
  const std::lock_guard lock(k.mutex);
  return std::any_of(k.parses.begin(), k.parses.end(),
                     [&](const auto& kept) { return kept.first.starts_with(selection); });
}

std::shared_ptr<const CsvValues> csv_values_all_targets(const DataConfig& config) {
  return valid(read_values(config, std::numeric_limits<std::size_t>::max()));
}

std::vector<std::string> read_csv_header(const std::string& path) {
  std::vector<std::string> header;
  try {
    PlainReader reader(path, header, [](const CsvCell*, std::size_t) {});
    if (reader.read_header()) return header;
  } catch (const InputError&) {
    // Reported by the whole file's check below, after any problem it looks for first.
  }
  std::size_t rows = 0;
  return read_csv_shape(path, rows);
}

std::vector<std::string> read_csv_shape(const std::string& path, std::size_t& rows) {
  std::vector<std::string> header;
  rows = 0;
  try {
    PlainReader reader(path, header, [&](const CsvCell*, std::size_t) { ++rows; });
    if (reader.read()) return header;
  } catch (const InputError&) {
    // Reported by the general reader below, after any problem it looks for first.
  }
  header.clear();
  rows = 0;
  read_csv_rows(path, header, [&](const CsvRecord&) { ++rows; });
  return header;
}

CsvField csv_field_at(const std::string& path, std::size_t r, std::size_t c) {
  CsvField found;
  std::size_t at = 0;
  std::vector<std::string> header;
  read_csv_rows(path, header, [&](const CsvRecord& record) {
    if (at++ == r) found = record.fields[c];
  });
  return found;
}

}  // namespace nn
