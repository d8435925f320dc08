#include "results/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <streambuf>
#include <system_error>
#include <utility>
#include <vector>

#include "nn/input_error.h"

namespace results {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, std::string_view what, int error) {
  throw std::system_error(error, std::generic_category(), std::string(what) + " " + path.string());
}

std::string_view kind_of(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

[[noreturn]] void refuse(const fs::path& path, mode_t mode, std::string_view expected) {
  throw nn::InputError(path.string(), 0, 0,
                       fmt::format("is {} where nnsweep writes {}; it never writes through links "
                                   "or into special files: move it away",
                                   kind_of(mode), expected));
}

// The components of a name inside a directory, refusing any that would leave it.
std::vector<std::string> components(const fs::path& dir, std::string_view name) {
  const fs::path path(name);
  std::vector<std::string> parts;
  for (const fs::path& part : path) {
    const std::string text = part.string();
    if (text.empty() && !parts.empty()) continue;  // a trailing '/'
    if (text.empty() || text == "." || text == ".." || path.is_absolute())
      throw nn::InputError((dir / path).string(), 0, 0,
                           fmt::format("refusing to write '{}': a file of an output directory "
                                       "has a relative name without '.' or '..'",
                                       name));
    parts.push_back(text);
  }
  if (parts.empty())
    throw nn::InputError(dir.string(), 0, 0, "refusing to write a file with an empty name");
  return parts;
}

}  // namespace

Fd::Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Fd::~Fd() {
  close();
}

int Fd::close() {
  return fd_ < 0 ? 0 : ::close(std::exchange(fd_, -1));
}

Place open_place(const fs::path& dir, std::string_view name) {
  const std::vector<std::string> parts = components(dir, name);
  Place place;
  place.path = dir.empty() ? fs::path(".") : dir;
  place.dir = Fd(::open(place.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (place.dir.get() < 0) fail(place.path, "cannot open", errno);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    place.path /= parts[i];
    const int at = place.dir.get();
    if (::mkdirat(at, parts[i].c_str(), 0777) != 0 && errno != EEXIST)
      fail(place.path, "cannot create", errno);
    Fd sub(::openat(at, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (sub.get() < 0) {
      const int error = errno;
      struct stat st {};
      if (::fstatat(at, parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
        refuse(place.path, st.st_mode, "a directory");
      fail(place.path, "cannot open", error);
    }
    place.dir = std::move(sub);
  }
  place.leaf = parts.back();
  place.path /= place.leaf;
  return place;
}

void check_regular_or_missing(const Place& place) {
  struct stat st {};
  if (::fstatat(place.dir.get(), place.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    fail(place.path, "cannot inspect", errno);
  }
  if (!S_ISREG(st.st_mode)) refuse(place.path, st.st_mode, "a file");
}

// Writes what the stream hands it straight to the descriptor, in 64 KiB pieces.
class FileStream::Buffer : public std::streambuf {
 public:
  explicit Buffer(Fd fd) : fd_(std::move(fd)) { setp(data_.data(), data_.data() + data_.size()); }
  int fd() const { return fd_.get(); }
  void start_writeback() {
    unsent_ = 0;
#ifdef __linux__
    ::sync_file_range(fd_.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
  }

 private:
  bool write_all(const char* from, const char* to) {
    while (from < to) {
      const ssize_t n = ::write(fd_.get(), from, static_cast<std::size_t>(to - from));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      from += n;
      unsent_ += static_cast<std::size_t>(n);
    }
    if (unsent_ >= kWritebackBytes) start_writeback();
    return true;
  }
  // Every MiB written, the disk starts on it without being waited for (Linux:
  // sync_file_range): the rows files of a long run then reach the disk while it trains, and
  // the sync at its end waits for the last stretch only, not for all of curves.csv.
  static constexpr std::size_t kWritebackBytes = std::size_t{1} << 20;

 protected:
  int_type overflow(int_type c) override {
    if (sync() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    const bool written = write_all(pbase(), pptr());
    // What was written is gone from the buffer; on failure the rest is dropped: the stream is
    // bad.
    setp(data_.data(), data_.data() + data_.size());
    return written ? 0 : -1;
  }
  // What does not fit in the buffer goes to the file from where it is, after what the buffer
  // holds: copying a pack of curve rows through the buffer cost more than writing it.
  std::streamsize xsputn(const char* s, std::streamsize count) override {
    if (count <= epptr() - pptr()) {
      std::copy(s, s + count, pptr());
      pbump(static_cast<int>(count));
      return count;
    }
    if (sync() != 0 || !write_all(s, s + count)) return 0;
    return count;
  }

 private:
  Fd fd_;
  std::size_t unsent_ = 0;  // bytes written since the last start_writeback()
  std::array<char, 1 << 16> data_{};
};

FileStream::FileStream(Fd fd)
    : std::ostream(nullptr), buffer_(std::make_unique<Buffer>(std::move(fd))) {
  rdbuf(buffer_.get());
}

FileStream::~FileStream() {
  rdbuf(nullptr);  // what was not flushed is lost, as with an unflushed std::ofstream on error
}

int FileStream::fd() const {
  return buffer_->fd();
}

void FileStream::start_writeback() {
  buffer_->start_writeback();
}

Temporary create_temporary(const Place& place) {
  // Unique in this process by the counter, among processes by the pid; O_EXCL makes sure
  // nothing already there (a leftover, a planted link) is ever opened.
  static std::atomic<std::uint64_t> counter{0};
  for (int attempt = 0;; ++attempt) {
    std::string name = fmt::format("{}.{}-{}.tmp", place.leaf, ::getpid(), counter++);
    const int fd = ::openat(place.dir.get(), name.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0) return {std::move(name), std::make_unique<FileStream>(Fd(fd))};
    if (errno != EEXIST || attempt == 100)
      fail(place.path, "cannot create a temporary file for", errno);
  }
}

}  // namespace results
