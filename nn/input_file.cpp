#include "nn/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "nn/input_error.h"

namespace nn {
namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "is a character device";
  if (S_ISBLK(mode)) return "is a block device";
  if (S_ISSOCK(mode)) return "is a socket";
  return "is not a regular file";
}

std::string open_failure(int error) {
  switch (error) {
    case ENOENT:
      return "does not exist";
    case ELOOP:
      return "is a symlink loop";
    case EACCES:
      return "is not readable (permission denied)";
    case ENOTDIR:
      return "does not exist (a part of the path is not a directory)";
    default:
      return std::string("cannot be opened (") + std::strerror(error) + ")";
  }
}

}  // namespace

std::string describe_non_regular(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int error = errno;
    // A dangling symlink: stat fails, lstat finds the link.
    struct stat link {};
    if (error == ENOENT && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode))
      return "is a symlink to a file that does not exist";
    return open_failure(error);
  }
  return S_ISREG(st.st_mode) ? std::string() : kind_of(st.st_mode);
}

InputFile::InputFile(const std::string& path, const std::string& what, std::uint64_t max_bytes)
    : path_(path), what_(what), max_bytes_(max_bytes) {
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd_ < 0) {
    const int error = errno;
    std::string why = describe_non_regular(path);
    if (why.empty()) why = open_failure(error);
    throw InputError(path, 0, 0, "the " + what + " " + why);
  }
  try {
    struct stat st {};
    if (::fstat(fd_, &st) != 0)
      throw InputError(path, 0, 0, "cannot read the " + what + " (" + std::strerror(errno) + ")");
    if (!S_ISREG(st.st_mode))
      throw InputError(path, 0, 0,
                       "the " + what + " " + kind_of(st.st_mode) + ", not a regular file");
    size_ = static_cast<std::uint64_t>(st.st_size);
    if (size_ > max_bytes)
      throw InputError(path, 0, 0,
                       "the " + what + " has " + std::to_string(size_) +
                           " bytes, more than the cap of " + std::to_string(max_bytes) + " bytes");
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

InputFile::~InputFile() {
  ::close(fd_);
}

std::size_t InputFile::read(char* out, std::size_t size) {
  for (;;) {
    const ssize_t got = ::read(fd_, out, size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0)
      throw InputError(path_, 0, 0, "cannot read the " + what_ + " (" + std::strerror(errno) + ")");
    done_ += static_cast<std::uint64_t>(got);
    if (done_ > max_bytes_)
      throw InputError(path_, 0, 0,
                       "the " + what_ + " grew past the " + std::to_string(max_bytes_) +
                           " bytes nnsweep reads while it was read");
    return static_cast<std::size_t>(got);
  }
}

std::string read_input_file(const std::string& path, const std::string& what,
                            std::uint64_t max_bytes) {
  InputFile file(path, what, max_bytes);
  std::string text(static_cast<std::size_t>(file.size()), '\0');
  std::size_t done = 0;
  for (;;) {
    // One byte more than the size fstat gave, to notice a file that grew meanwhile.
    if (done == text.size()) text.resize(text.size() + 4096);
    const std::size_t got = file.read(text.data() + done, text.size() - done);
    if (got == 0) break;
    done += got;
  }
  text.resize(done);
  return text;
}

}  // namespace nn
