// Replacing a file so that readers and crashes only ever see the old or the new content: the
// content goes to a new temporary `NAME.<pid>-<n>.tmp` in the same directory, is flushed and
// fsynced, then renamed over NAME (rename is atomic within a file system), and the directory is
// fsynced, which makes the rename itself durable. Files are named relative to a directory and
// reached as results/output_file.h says: never through a link, never over anything but a
// regular file. Throws std::system_error naming the file when any step fails (the temporary
// file is then removed), nn::InputError when something other than a regular file is in the way.
#pragma once

#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include "results/output_file.h"

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

// Replaces `dir`/`name` (`name` may have directories, made when missing: models/x.yaml).
void replace_file(const std::filesystem::path& dir, std::string_view name,
                  const std::function<void(std::ostream&)>& write, Sync sync = Sync::all);
void replace_file(const std::filesystem::path& dir, std::string_view name, std::string_view content,
                  Sync sync = Sync::all);

// fsync of a directory: the renames and creations in it so far survive a crash.
void sync_directory(const std::filesystem::path& dir);

// Several files of one directory replaced together, each as replace_file() with Sync::all would,
// but waiting for the disk once for all of them instead of once per file (on a virtual disk, a
// wait per file is most of what a small sweep spends after training). stage() writes a
// temporary and starts its fdatasync on a thread of its own while the next file is made;
// commit() waits until every staged file, and every file named by also_sync(), is on disk, renames
// the staged files in the order they were staged, then syncs the directory. Files staged last are
// renamed last: a reader never sees them before the others. Destroyed uncommitted (an error on
// the way), the batch removes its temporaries and leaves every old file as it was. stage() and
// also_sync() may be called from several threads; errors throw std::system_error naming the file.
class FileBatch {
 public:
  explicit FileBatch(std::filesystem::path dir);
  ~FileBatch();
  FileBatch(const FileBatch&) = delete;
  FileBatch& operator=(const FileBatch&) = delete;

  void stage(std::string_view name, const std::function<void(std::ostream&)>& write);
  void stage(std::string_view name, std::string_view content);
  // A file written some other way (appended to during a run) that commit() makes durable too.
  // Its sync starts at once, as a staged file's does: the disk's wait for a file written during
  // the run passes while the tables and the page are made.
  void also_sync(std::string_view name);
  void commit();

 private:
  struct File {
    Place place;            // the file's directory and final name
    std::string temporary;  // empty: synced only, not renamed
    Fd fd;
    // Its fdatasync (result and errno), under way from add() on, or deferred to commit() when
    // no thread could be started. Destroyed before `fd`, and a destroyed std::async future
    // waits: the descriptor outlives the call.
    std::future<std::pair<int, int>> synced;
  };
  void add(File file);

  std::filesystem::path dir_;
  std::mutex mutex_;
  std::vector<File> files_;
  bool committed_ = false;
};

}  // namespace results
