#include "results/row_writer.h"

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace results {

void RowWriter::write(std::string_view rows) {
  out_->write(rows.data(), static_cast<std::streamsize>(rows.size()));
  out_->flush();
  if (!*out_) throw std::system_error(errno, std::generic_category(), "cannot write result rows");
}

std::ofstream open_for_append(const std::filesystem::path& path,
                              std::optional<std::uint64_t> keep_bytes) {
  if (keep_bytes && std::filesystem::exists(path)) std::filesystem::resize_file(path, *keep_bytes);
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
  return out;
}

}  // namespace results
