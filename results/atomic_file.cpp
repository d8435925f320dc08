#include "results/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

namespace results {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what, int error) {
  throw std::system_error(error, std::generic_category(), std::string(what) + " " + path.string());
}

// std::ofstream cannot fsync; POSIX can, on a second descriptor of the same file.
void sync(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) fail(path, "cannot open", errno);
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) fail(path, "cannot sync", error);
}

// Starts writing a file's dirty pages to disk without waiting, so that the wait in commit()
// finds them written or on the way. Only a head start: where it does not exist, commit()'s
// fdatasync does all the work.
void start_writeback([[maybe_unused]] int fd) {
#ifdef __linux__
  ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

int open_for_sync(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, "cannot open", errno);
  start_writeback(fd);
  return fd;
}

// Removes a temporary on the way out of a failure: its own error, if any, would hide the first.
void discard(const std::filesystem::path& temporary) {
  std::error_code ignored;
  std::filesystem::remove(temporary, ignored);
}

// Writes `path` + ".tmp" through `write` and returns its name; on failure removes it and throws.
std::filesystem::path write_temporary(const std::filesystem::path& path,
                                      const std::function<void(std::ostream&)>& write) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  try {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) fail(temporary, "cannot create", errno);
    write(out);
    out.flush();
    if (!out) fail(temporary, "cannot write", errno);
  } catch (...) {
    discard(temporary);
    throw;
  }
  return temporary;
}

}  // namespace

void sync_directory(const std::filesystem::path& dir) {
  sync(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

void replace_file(const std::filesystem::path& path,
                  const std::function<void(std::ostream&)>& write, Sync how) {
  const std::filesystem::path temporary = write_temporary(path, write);
  try {
    if (how != Sync::none) sync(temporary, O_RDONLY);
    std::filesystem::rename(temporary, path);
  } catch (...) {
    discard(temporary);
    throw;
  }
  if (how == Sync::all) sync_directory(path.parent_path());
}

FileBatch::FileBatch(std::filesystem::path dir) : dir_(std::move(dir)) {}

FileBatch::~FileBatch() {
  for (const File& f : files_) {
    if (f.fd >= 0) ::close(f.fd);
    if (!committed_ && !f.final_path.empty()) discard(f.path);
  }
}

void FileBatch::add(File file) {
  const std::lock_guard lock(mutex_);
  try {
    files_.push_back(file);
  } catch (...) {
    ::close(file.fd);
    throw;
  }
}

void FileBatch::stage(std::string_view name, const std::function<void(std::ostream&)>& write) {
  const std::filesystem::path final_path = dir_ / name;
  const std::filesystem::path temporary = write_temporary(final_path, write);
  int fd = -1;
  try {
    fd = open_for_sync(temporary);
  } catch (...) {
    discard(temporary);
    throw;
  }
  add({temporary, final_path, fd});
}

void FileBatch::stage(std::string_view name, std::string_view content) {
  stage(name, [&](std::ostream& out) {
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  });
}

void FileBatch::also_sync(std::string_view name) {
  const std::filesystem::path path = dir_ / name;
  add({path, {}, open_for_sync(path)});
}

void FileBatch::commit() {
  const std::lock_guard lock(mutex_);
  // Every file's content first (fdatasync: the data and what reading it back needs, not the
  // times), so that no rename below can make a file visible whose content could still be lost.
  for (File& f : files_) {
    const int result = ::fdatasync(f.fd);
    const int error = errno;
    ::close(f.fd);
    f.fd = -1;
    if (result != 0) fail(f.path, "cannot sync", error);
  }
  for (const File& f : files_)
    if (!f.final_path.empty()) std::filesystem::rename(f.path, f.final_path);
  committed_ = true;
  sync_directory(dir_);
}

void replace_file(const std::filesystem::path& path, std::string_view content, Sync how) {
  replace_file(
      path,
      [&](std::ostream& out) {
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
      },
      how);
}

}  // namespace results
