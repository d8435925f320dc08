// The error thrown at the input boundary: a sweep file, a CSV file or a command-line argument
// that cannot be used. It carries where the problem is, so the message can be printed as
// `FILE:LINE:COL: error: message` (line and column 1-based; 0 when not known).
#pragma once

#include <stdexcept>
#include <string>

namespace nn {

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, int line, int column, const std::string& message)
      : std::runtime_error(message), file_(std::move(file)), line_(line), column_(column) {}

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  // `file:line:col: error: message`, leaving out the parts that are not known.
  std::string describe() const {
    std::string text = file_;
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
