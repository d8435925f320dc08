// Files inside an output directory, opened so that nothing planted there can redirect a write:
// each component below the directory is opened with O_NOFOLLOW (a symbolic link is refused,
// never followed), a file written to must be a regular file, temporaries are created
// exclusively (O_EXCL) under a name no other writer uses, and names that would leave the
// directory (empty, absolute, a `.` or `..` component) are refused. The directory itself is
// the caller's choice and may be reached through links. What is found in the way (a link, a
// special file, a bad name) throws nn::InputError naming it; failed I/O throws
// std::system_error naming the file.
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace results {

// A file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept;
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  // Closes now; returns close()'s result.
  int close();

 private:
  int fd_ = -1;
};

// Where `name` lives below `dir`: its directory, open (the missing ones created), and its last
// component.
struct Place {
  Fd dir;
  std::string leaf;
  std::filesystem::path path;  // dir / name, for messages
};
Place open_place(const std::filesystem::path& dir, std::string_view name);

// Refuses (nn::InputError) anything at `place` but nothing or a regular file: what nnsweep
// replaces or appends to is a regular file.
void check_regular_or_missing(const Place& place);

// An output stream over a descriptor it owns: std::ofstream can neither be opened with
// O_NOFOLLOW nor synced. A failed write leaves the stream bad and errno set.
class FileStream : public std::ostream {
 public:
  explicit FileStream(Fd fd);
  ~FileStream() override;
  int fd() const;
  // Starts writing what was flushed so far to the disk, without waiting (Linux; elsewhere
  // nothing): a later sync then finds it written or on the way. The stream does so by itself
  // every MiB.
  void start_writeback();

 private:
  class Buffer;
  std::unique_ptr<Buffer> buffer_;
};

// A new temporary file beside `place`, created exclusively under a unique name.
struct Temporary {
  std::string name;  // in place.dir
  std::unique_ptr<FileStream> out;
};
Temporary create_temporary(const Place& place);

}  // namespace results
