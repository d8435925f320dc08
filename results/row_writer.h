// Appending rows to a file that may be read, killed or resumed at any moment: each write()
// hands one or more complete rows to the stream and flushes it, so a killed process leaves
// whole rows and at most one torn last line (which CsvReader reports and a resume drops).
// Writes go through std::ostream so tests capture them in memory. Not thread-safe: callers
// serialise writes (one trial's rows in one call keeps them together).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "results/output_file.h"

namespace results {

class RowWriter {
 public:
  explicit RowWriter(std::ostream& out) : out_(&out) {}

  // REQUIRES rows is empty or ends in a line break. Throws std::system_error with the errno of
  // the failed write when the stream fails (disk full, closed pipe).
  void write(std::string_view rows);
  // The parts in order, flushed once: as write() of their concatenation, without making it.
  void write(std::span<const std::string> parts);

 private:
  std::ostream* out_;
};

// Opens `dir`/`name` for appending, creating it when missing, as results/output_file.h says
// (never through a link, only a regular file). When `keep_bytes` is given the file is first cut
// to that size (the complete part a resume found; see CsvReader::complete_bytes). Throws
// std::system_error naming the file, nn::InputError when something else is in its place.
std::unique_ptr<FileStream> open_for_append(const std::filesystem::path& dir, std::string_view name,
                                            std::optional<std::uint64_t> keep_bytes = std::nullopt);

}  // namespace results
