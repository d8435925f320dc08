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

// Closes the descriptor on every path out.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

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

std::string read_input_file(const std::string& path, const std::string& what,
                            std::uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
  const Descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) {
    const int error = errno;
    std::string why = describe_non_regular(path);
    if (why.empty()) why = open_failure(error);
    throw InputError(path, 0, 0, "the " + what + " " + why);
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0)
    throw InputError(path, 0, 0, "cannot read the " + what + " (" + std::strerror(errno) + ")");
  if (!S_ISREG(st.st_mode))
    throw InputError(path, 0, 0,
                     "the " + what + " " + kind_of(st.st_mode) + ", not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_bytes)
    throw InputError(path, 0, 0,
                     "the " + what + " has " + std::to_string(size) +
                         " bytes, more than the cap of " + std::to_string(max_bytes) + " bytes");
  std::string text(static_cast<std::size_t>(size), '\0');
  std::size_t done = 0;
  for (;;) {
    // One byte more than the size fstat gave, to notice a file that grew meanwhile.
    if (done == text.size()) {
      if (text.size() > max_bytes)
        throw InputError(path, 0, 0,
                         "the " + what + " grew past the " + std::to_string(max_bytes) +
                             " bytes nnsweep reads while it was read");
      text.resize(text.size() + 4096);
    }
    const ssize_t got = ::read(file.fd, text.data() + done, text.size() - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw InputError(path, 0, 0, "cannot read the " + what + " (" + std::strerror(errno) + ")");
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  text.resize(done);
  return text;
}

}  // namespace nn
