// The error thrown at the input boundary: a sweep file, a CSV file, a model file or a
// command-line argument that cannot be used. It carries where the problem is, so the message
// can be printed as `FILE:LINE:COL: error: message` (line and column 1-based; 0 when not known).
// quote_input() is how every message shows text taken from the input: short, one line, printable.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nn {

// `text` as a message shows it: in single quotes, control bytes and bytes that are not UTF-8
// escaped (\n, \t, \x1b, ...), and cut after `limit` characters with "..." and the full length
// in bytes, so a 20 MB cell or a value holding a newline gives one short line that cannot
// forge another `error:` line or reach the terminal as an escape sequence.
std::string quote_input(std::string_view text, std::size_t limit = 80);

// The length of the valid UTF-8 sequence that starts at text[i] (1 for ASCII), or 0 when the
// bytes there are not one (overlong forms and surrogates are not valid).
std::size_t utf8_length(std::string_view text, std::size_t i);

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, int line, int column, const std::string& message)
      : std::runtime_error(message), file_(std::move(file)), line_(line), column_(column) {}

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  // `file:line:col: error: message`, leaving out the parts that are not known.
  std::string describe() const {
    // The file name came from the input too: its control bytes are escaped, never cut.
    std::string text = file_.empty() ? file_ : quote_input(file_, file_.size()).substr(1);
    if (!text.empty()) text.pop_back();
    if (line_ > 0) {
      text.append(":").append(std::to_string(line_));
      if (column_ > 0) text.append(":").append(std::to_string(column_));
    }
    if (!text.empty()) text.append(": ");
    return text.append("error: ").append(what());
  }

 private:
  std::string file_;
  int line_;
  int column_;
};

}  // namespace nn
