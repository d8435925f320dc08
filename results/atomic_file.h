// Replacing a file so that readers and crashes only ever see the old or the new content: the
// content goes to `NAME.tmp` in the same directory, is flushed and fsynced, then renamed over
// NAME (rename is atomic within a file system), and the directory is fsynced, which makes the
// rename itself durable. Throws std::system_error naming the file when any step fails; the
// temporary file is then removed.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace results {

// How much of the replacement is made durable before replace_file returns.
enum class Sync {
  all,   // the file before the rename, the directory after: the new content survives a crash of
         // the machine
  file,  // the file only: a caller replacing several files of one directory calls
         // sync_directory() once after the last
  none,  // nothing: readers and a killed process still see the old or the new content, but a
         // crash of the machine may lose the new one (for files that are rewritten again later)
};

void replace_file(const std::filesystem::path& path,
                  const std::function<void(std::ostream&)>& write, Sync sync = Sync::all);
void replace_file(const std::filesystem::path& path, std::string_view content,
                  Sync sync = Sync::all);

// fsync of a directory: the renames and creations in it so far survive a crash.
void sync_directory(const std::filesystem::path& dir);
// fsync of a file written some other way (e.g. appended to).
void sync_file(const std::filesystem::path& path);

}  // namespace results
