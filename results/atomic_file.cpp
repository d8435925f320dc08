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

}  // namespace

void sync_directory(const std::filesystem::path& dir) {
  sync(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

void sync_file(const std::filesystem::path& path) {
  sync(path, O_RDONLY);
}

void replace_file(const std::filesystem::path& path,
                  const std::function<void(std::ostream&)>& write, Sync how) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  try {
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      if (!out) fail(temporary, "cannot create", errno);
      write(out);
      out.flush();
      if (!out) fail(temporary, "cannot write", errno);
    }
    if (how != Sync::none) sync(temporary, O_RDONLY);
    std::filesystem::rename(temporary, path);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  if (how == Sync::all) sync_directory(path.parent_path());
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
