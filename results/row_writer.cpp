#include "results/row_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "nn/input_error.h"

namespace results {

void RowWriter::write(std::string_view rows) {
  out_->write(rows.data(), static_cast<std::streamsize>(rows.size()));
  out_->flush();
  if (!*out_) throw std::system_error(errno, std::generic_category(), "cannot write result rows");
}

void RowWriter::write(std::span<const std::string> parts) {
  for (const std::string& rows : parts)
    out_->write(rows.data(), static_cast<std::streamsize>(rows.size()));
  out_->flush();
  if (!*out_) throw std::system_error(errno, std::generic_category(), "cannot write result rows");
}

std::unique_ptr<FileStream> open_for_append(const std::filesystem::path& dir, std::string_view name,
                                            std::optional<std::uint64_t> keep_bytes) {
  const Place place = open_place(dir, name);
  const auto fail = [&](int error) -> std::unique_ptr<FileStream> {
    throw std::system_error(error, std::generic_category(), "cannot open " + place.path.string());
  };
  // Looked at first, so that a FIFO or a device is never opened; O_NOFOLLOW, O_NONBLOCK and the
  // fstat after close the gap between the look and the open.
  check_regular_or_missing(place);
  Fd fd(::openat(place.dir.get(), place.leaf.c_str(),
                 O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666));
  if (fd.get() < 0) {
    const int error = errno;
    check_regular_or_missing(place);  // replaced in the meantime: says by what
    return fail(error);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(errno);
  if (!S_ISREG(st.st_mode)) {
    check_regular_or_missing(place);  // says what is there now, if that is not a regular file
    throw nn::InputError(place.path.string(), 0, 0, "is not a regular file; move it away");
  }
  if (::fcntl(fd.get(), F_SETFL, O_APPEND) != 0) return fail(errno);
  if (keep_bytes && ::ftruncate(fd.get(), static_cast<off_t>(*keep_bytes)) != 0) return fail(errno);
  return std::make_unique<FileStream>(std::move(fd));
}

}  // namespace results
