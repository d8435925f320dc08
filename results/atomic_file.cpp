#include "results/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "nn/input_error.h"

namespace results {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what, int error) {
  throw std::system_error(error, std::generic_category(), std::string(what) + " " + path.string());
}

void sync_fd(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) fail(path, "cannot sync", errno);
}

// Removes a temporary on the way out of a failure: its own error, if any, would hide the first.
void discard(const Place& place, const std::string& temporary) {
  ::unlinkat(place.dir.get(), temporary.c_str(), 0);
}

// Writes a new temporary beside `place` through `write` and returns it, flushed; on failure
// removes it and throws.
Temporary write_temporary(const Place& place, const std::function<void(std::ostream&)>& write) {
  check_regular_or_missing(place);
  Temporary temporary = create_temporary(place);
  try {
    write(*temporary.out);
    temporary.out->flush();
    if (!*temporary.out) fail(place.path, "cannot write", errno);
  } catch (...) {
    discard(place, temporary.name);
    throw;
  }
  return temporary;
}

void rename_into_place(const Place& place, const std::string& temporary) {
  if (::renameat(place.dir.get(), temporary.c_str(), place.dir.get(), place.leaf.c_str()) != 0)
    fail(place.path, "cannot replace", errno);
}

}  // namespace

void sync_directory(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir.empty() ? "." : dir;
  const Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) fail(path, "cannot open", errno);
  sync_fd(fd.get(), path);
}

void replace_file(const std::filesystem::path& dir, std::string_view name,
                  const std::function<void(std::ostream&)>& write, Sync how) {
  const Place place = open_place(dir, name);
  const Temporary temporary = write_temporary(place, write);
  try {
    if (how != Sync::none) sync_fd(temporary.out->fd(), place.path);
    rename_into_place(place, temporary.name);
  } catch (...) {
    discard(place, temporary.name);
    throw;
  }
  if (how == Sync::all) sync_fd(place.dir.get(), place.path.parent_path());
}

void replace_file(const std::filesystem::path& dir, std::string_view name, std::string_view content,
                  Sync how) {
  replace_file(
      dir, name,
      [&](std::ostream& out) {
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
      },
      how);
}

FileBatch::FileBatch(std::filesystem::path dir) : dir_(std::move(dir)) {}

FileBatch::~FileBatch() {
  if (committed_) return;
  for (const File& f : files_)
    if (!f.temporary.empty()) discard(f.place, f.temporary);
}

void FileBatch::add(File file) {
  // Its content is complete: its fdatasync starts now, on a thread of its own, so that the
  // disk's work for every file passes while the others (and report.html) are made, and the
  // syncs that meet share the file system's journal commits.
  const int fd = file.fd.get();
  const auto sync = [fd] {
    const int result = ::fdatasync(fd);
    return std::pair(result, result != 0 ? errno : 0);
  };
  try {
    file.synced = std::async(std::launch::async, sync);
  } catch (const std::system_error&) {
    // No thread to be had (a limit on processes): the sync runs when commit() asks for it.
    file.synced = std::async(std::launch::deferred, sync);
  }
  const std::lock_guard lock(mutex_);
  files_.push_back(std::move(file));
}

void FileBatch::stage(std::string_view name, const std::function<void(std::ostream&)>& write) {
  Place place = open_place(dir_, name);
  Temporary temporary = write_temporary(place, write);
  const int fd = temporary.out->fd();
  File file{std::move(place), temporary.name, Fd(::dup(fd))};
  if (file.fd.get() < 0) {
    const int error = errno;
    discard(file.place, file.temporary);
    fail(file.place.path, "cannot open", error);
  }
  try {
    add(std::move(file));
  } catch (...) {
    discard(file.place, file.temporary);
    throw;
  }
}

void FileBatch::stage(std::string_view name, std::string_view content) {
  stage(name, [&](std::ostream& out) {
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  });
}

void FileBatch::also_sync(std::string_view name) {
  Place place = open_place(dir_, name);
  Fd fd(::openat(place.dir.get(), place.leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ELOOP) check_regular_or_missing(place);
    fail(place.path, "cannot open", errno);
  }
  check_regular_or_missing(place);
  add({std::move(place), {}, std::move(fd), {}});
}

void FileBatch::commit() {
  const std::lock_guard lock(mutex_);
  // Every file's content first (fdatasync: the data and what reading it back needs, not the
  // times), so that no rename below can make a file visible whose content could still be lost.
  for (File& f : files_) {
    const auto [result, error] = f.synced.get();
    f.fd.close();
    if (result != 0) fail(f.place.path, "cannot sync", error);
  }
  for (const File& f : files_)
    if (!f.temporary.empty()) rename_into_place(f.place, f.temporary);
  committed_ = true;
  sync_directory(dir_);
}

}  // namespace results
