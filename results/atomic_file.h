// Replacing a file so that readers and crashes only ever see the old or the new content: the
// content goes to `NAME.tmp` in the same directory, is flushed and fsynced, then renamed over
// NAME (rename is atomic within a file system), and the directory is fsynced, which makes the
// rename itself durable. A caller replacing several files of one directory can pass
// sync_directory = false and call sync_directory() once after the last. Throws
// std::system_error naming the file when any step fails; the temporary file is then removed.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace results {

void replace_file(const std::filesystem::path& path,
                  const std::function<void(std::ostream&)>& write, bool sync_directory = true);
void replace_file(const std::filesystem::path& path, std::string_view content,
                  bool sync_directory = true);

// fsync of a directory: the renames and creations in it so far survive a crash.
void sync_directory(const std::filesystem::path& dir);

}  // namespace results
