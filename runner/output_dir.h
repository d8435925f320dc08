// The output directory of `run`, `merge` and `report`: where --out points once resolved, what
// may be found in it, and which process owns it. One process at a time writes a directory: it
// holds an advisory lock (flock) on DIR/.nnsweep.lock, which records who holds it (command,
// pid, host, since) for the message a second process prints. The kernel releases the lock when
// its holder exits or is killed, so the lock file a killed run leaves behind is simply taken
// over; the recorded pid is information only. flock is not reliable on network file systems,
// which are not supported for output directories.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace runner {

inline constexpr std::string_view kLockFileName = ".nnsweep.lock";

// `--out` resolved: the links of its existing part followed, then `.` and `..` resolved by name
// (std::filesystem::weakly_canonical), so that `d/missing/..` is `d` for every check and every
// write. A path without `.` or `..` is kept as given (the kernel resolves it the same way), so
// that messages and the resume command use the user's words. `shown`: path.string().
struct OutputDir {
  std::filesystem::path path;
  std::string shown;
};
OutputDir resolve_output_dir(const std::filesystem::path& given);

// `runs/<name>`; throws nn::InputError (at `spec_file`) when the sweep's name cannot name one
// directory (`.`, `..`, a `/` or a control byte), which --out avoids.
std::filesystem::path default_output_dir(const std::string& sweep_name,
                                         const std::filesystem::path& spec_file);

// Missing, or an empty directory but for the lock file a killed run may leave.
bool is_empty_output_dir(const std::filesystem::path& dir);

// Refuses (nn::InputError) anything in `dir` where nnsweep would write that is not what it
// writes: a link, a directory or a special file named like one of its files, or a models/ that
// is not a directory. Run before the work, so that the refusal comes before any training.
void check_output_entries(const std::filesystem::path& dir);

// Thrown when another process holds the directory: exit code 1.
class DirectoryInUse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Who holds `dir`'s lock (as the lock file describes it), when a live process does; creates and
// changes nothing. A check before the lock is taken, for a message that names the holder before
// other complaints; only OutputLock decides.
std::optional<std::string> lock_holder(const std::filesystem::path& dir);
// Throws DirectoryInUse when a live process holds `dir`.
void check_not_in_use(const std::filesystem::path& dir, std::string_view shown);

// The lock, held from construction (or DirectoryInUse thrown, naming the holder) to destruction,
// which removes the lock file. `dir` must exist. `command`: run, merge, report.
class OutputLock {
 public:
  OutputLock(const std::filesystem::path& dir, std::string_view shown, std::string_view command);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace runner
