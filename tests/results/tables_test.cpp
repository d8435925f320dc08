#include "results/tables.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "results/interrupt.h"

namespace results {
namespace {

namespace fs = std::filesystem;

// Ctrl-C during the tables phase: the builder stops at its next poll and writes nothing.
TEST(Tables, AnInterruptStopsTheTablesAndLeavesNoFile) {
  const fs::path dir =
      fs::temp_directory_path() / ("nnsweep_tables_interrupt_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  TablesBuilder builder({"train.learning_rate", "model.activation", "outcome"},
                        {"train.learning_rate", "model.activation"}, {});
  std::atomic<bool> interrupted{true};
  TablesOptions options;
  options.interrupt = &interrupted;
  {
    FileBatch files(dir);
    EXPECT_THROW(builder.write(dir, false, options, files), Interrupted);
  }
  EXPECT_TRUE(fs::is_empty(dir));
  interrupted = false;
  FileBatch files(dir);
  EXPECT_NO_THROW(builder.write(dir, false, options, files));
  files.commit();
  EXPECT_TRUE(fs::exists(dir / "summary.csv"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace results
