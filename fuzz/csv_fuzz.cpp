// libFuzzer target: arbitrary bytes as the user's CSV file, read as a table and then built into
// a dataset with its last column as the target. Either works or throws nn::InputError; any other
// exception, crash, leak or hang is a bug. The input's length picks the split fractions and
// whether the feature columns are named (so a seed file is read exactly as a user's file).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "nn/csv_data.h"
#include "nn/dataset.h"
#include "nn/input_error.h"

namespace {

// The reader takes a path, as the runner gives it; one file per fuzzing process.
std::filesystem::path scratch_file() {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("nnsweep_csv_fuzz_" + std::to_string(getpid()));
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::size_t mode = size % 8;
  {
    std::ofstream out(scratch_file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const nn::CsvTable table = nn::read_csv_table(scratch_file().string());
    nn::DataConfig config;
    config.dataset = nn::DatasetKind::csv;
    config.path = scratch_file().string();
    config.target = table.header.back();
    config.train_fraction = (mode & 1) ? 0.5 : 0.9;
    config.validation_fraction = (mode & 2) ? 0.25 : 0.0;
    if ((mode & 4) && table.header.size() > 1) config.columns = {table.header.front()};
    const nn::Dataset d = nn::make_dataset(config, mode);
    (void)d;
  } catch (const nn::InputError&) {
    // A rejection with a message: the expected outcome for most inputs.
  }
  return 0;
}
