// Reading a whole input file (a sweep file, a CSV file, a model file) without trusting what the
// path names: it is opened without blocking (a FIFO with no writer would wait forever), checked
// to be a regular file (a device such as /dev/zero would never end) and read up to a size cap.
// Every refusal throws nn::InputError naming the file and what it is.
#pragma once

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

// What is at `path` when it is not a regular file ("is a FIFO", "is a directory", "is a
// symlink loop", "does not exist", ...), or an empty string for a regular file.
std::string describe_non_regular(const std::string& path);

}  // namespace nn
