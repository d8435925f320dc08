// Reading a whole input file (a sweep file, a CSV file, a model file) without trusting what the
// path names: it is opened without blocking (a FIFO with no writer would wait forever), checked
// to be a regular file (a device such as /dev/zero would never end) and read up to a size cap.
// Every refusal throws nn::InputError naming the file and what it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nn {

// The largest input file nnsweep reads (sweep, CSV or model file): 256 MiB.
inline constexpr std::uint64_t kMaxInputFileBytes = 256ull << 20;

// The file's bytes. `what` names the kind of file in messages ("sweep file", "CSV file").
// Throws InputError for a missing file, a symlink loop, a directory, a FIFO, a device, a socket,
// a file larger than `max_bytes` and a read error.
std::string read_input_file(const std::string& path, const std::string& what,
                            std::uint64_t max_bytes = kMaxInputFileBytes);

// An input file opened with the checks of read_input_file and read a chunk at a time, so a large
// file (a CSV of a hundred MB) need not be held whole. Throws InputError as read_input_file does.
class InputFile {
 public:
  InputFile(const std::string& path, const std::string& what,
            std::uint64_t max_bytes = kMaxInputFileBytes);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Reads up to `size` bytes into `out`; 0 at the end of the file. Throws InputError for a read
  // error and for a file that grows past `max_bytes` while it is read.
  std::size_t read(char* out, std::size_t size);
  // The size when the file was opened.
  std::uint64_t size() const { return size_; }

 private:
  std::string path_, what_;
  std::uint64_t max_bytes_;
  std::uint64_t size_ = 0;
  std::uint64_t done_ = 0;
  int fd_ = -1;
};

// What is at `path` when it is not a regular file ("is a FIFO", "is a directory", "is a
// symlink loop", "does not exist", ...), or an empty string for a regular file.
std::string describe_non_regular(const std::string& path);

}  // namespace nn
