#include "runner/output_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>

#include "nn/input_error.h"
#include "results/output_file.h"

namespace runner {

namespace fs = std::filesystem;

namespace {

// The files nnsweep writes into an output directory (models/ aside).
constexpr std::array<std::string_view, 10> kOutputFiles = {"manifest.yaml",
                                                           "trials.csv",
                                                           "curves.csv",
                                                           "summary.csv",
                                                           "convergence.csv",
                                                           "convergence.md",
                                                           "convergence_cells.csv",
                                                           "importance.csv",
                                                           "report.html",
                                                           "rungs.csv"};

bool has_dot_component(const fs::path& path) {
  for (const fs::path& part : path)
    if (part == "." || part == "..") return true;
  return false;
}

std::string host_name() {
  std::array<char, 256> name{};
  return gethostname(name.data(), name.size() - 1) == 0 ? name.data() : "unknown host";
}

// What a lock file says, made safe to print: one line, no control bytes, bounded.
std::string read_holder(int fd) {
  std::array<char, 512> text{};
  const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  std::string holder;
  for (ssize_t i = 0; i < n && text[static_cast<std::size_t>(i)] != '\n'; ++i) {
    const auto c = static_cast<unsigned char>(text[static_cast<std::size_t>(i)]);
    holder += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
  }
  return holder.empty() ? "another nnsweep process (it has not said which yet)" : holder;
}

[[noreturn]] void in_use(std::string_view shown, const std::string& holder) {
  throw DirectoryInUse(fmt::format(
      "{} is in use by {}; nothing was changed. Wait until it finishes (or stop it), then try "
      "again",
      shown, holder));
}

[[noreturn]] void lock_failed(const fs::path& path, int error) {
  throw std::system_error(error, std::generic_category(),
                          "cannot lock " + path.string() +
                              " (output directories on network file systems are not supported)");
}

}  // namespace

OutputDir resolve_output_dir(const fs::path& given) {
  OutputDir out;
  out.path = given;
  // Without `.` or `..` the kernel resolves the path as weakly_canonical would: it is kept as
  // given, for messages in the user's words.
  if (has_dot_component(given)) {
    out.path = fs::weakly_canonical(given);
    if (!out.path.has_filename() && out.path.has_relative_path()) out.path = out.path.parent_path();
  }
  out.shown = out.path.string();
  return out;
}

fs::path default_output_dir(const std::string& sweep_name, const fs::path& spec_file) {
  const bool control = std::any_of(sweep_name.begin(), sweep_name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (sweep_name.empty() || sweep_name == "." || sweep_name == ".." ||
      sweep_name.find('/') != std::string::npos || control)
    throw nn::InputError(spec_file.string(), 0, 0,
                         fmt::format("the sweep's name '{}' cannot name its output directory "
                                     "runs/<name>/: give it a name: of letters, digits, '-' or "
                                     "'_', or choose the directory with --out",
                                     control ? "(with control characters)" : sweep_name));
  return fs::path("runs") / sweep_name;
}

bool is_empty_output_dir(const fs::path& dir) {
  if (!fs::exists(dir)) return true;
  if (!fs::is_directory(dir)) return false;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir))
    if (entry.path().filename() != kLockFileName) return false;
  return true;
}

void check_output_entries(const fs::path& dir) {
  for (const std::string_view name : kOutputFiles) {
    const results::Place place = results::open_place(dir, name);
    results::check_regular_or_missing(place);
  }
  const fs::file_status models = fs::symlink_status(dir / "models");
  if (fs::exists(models) && !fs::is_directory(models))
    throw nn::InputError((dir / "models").string(), 0, 0,
                         fs::is_symlink(models)
                             ? "is a symbolic link where nnsweep keeps saved models; it never "
                               "follows links in its output directory: move it away"
                             : "is not a directory, where nnsweep keeps saved models: move it "
                               "away");
}

std::optional<std::string> lock_holder(const fs::path& dir) {
  const fs::path path = dir / kLockFileName;
  const results::Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;  // no lock file, or one OutputLock will refuse
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return std::nullopt;  // released by closing
  return errno == EWOULDBLOCK ? std::optional(read_holder(fd.get())) : std::nullopt;
}

void check_not_in_use(const fs::path& dir, std::string_view shown) {
  if (const auto holder = lock_holder(dir)) in_use(shown, *holder);
}

OutputLock::OutputLock(const fs::path& dir, std::string_view shown, std::string_view command)
    : path_(dir / kLockFileName) {
  for (int attempt = 0;; ++attempt) {
    results::Fd fd(
        ::open(path_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666));
    if (fd.get() < 0) {
      if (errno == ELOOP)
        throw nn::InputError(path_.string(), 0, 0,
                             "is a symbolic link; nnsweep never follows links in its output "
                             "directory: remove it");
      lock_failed(path_, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) lock_failed(path_, errno);
    if (!S_ISREG(st.st_mode))
      throw nn::InputError(path_.string(), 0, 0, "is not a regular file: remove it");
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) lock_failed(path_, errno);
      // A moment's patience: lock_holder() of another process holds it for microseconds.
      if (attempt < 20) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      in_use(shown, read_holder(fd.get()));
    }
    // The holder before us may have removed the file between our open and our flock: then
    // this lock is on a file no one else will open; take the one at the path instead.
    struct stat now {};
    if (::lstat(path_.c_str(), &now) != 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev)
      continue;
    const std::string record = fmt::format(
        "nnsweep {} (pid {} on host {}, since {:%Y-%m-%d %H:%M:%S} UTC)\n", command, ::getpid(),
        host_name(), std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    if (::ftruncate(fd.get(), 0) != 0 ||
        ::pwrite(fd.get(), record.data(), record.size(), 0) != static_cast<ssize_t>(record.size()))
      lock_failed(path_, errno);
    fd_ = ::dup(fd.get());  // the flock belongs to the open file, which the duplicate keeps
    if (fd_ < 0) lock_failed(path_, errno);
    return;
  }
}

OutputLock::~OutputLock() {
  // Removed while still held: whoever opens the path next finds a new file or none.
  ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace runner
