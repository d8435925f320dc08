// `nnsweep datasets`: the built-in datasets and the data keys that shape them.
#include <iostream>

#include "nn/config.h"
#include "nn/dataset.h"
#include "runner/commands.h"

namespace runner {
namespace {

struct DatasetInfo {
  nn::DatasetKind kind;
  std::string_view description;
};

constexpr DatasetInfo kDatasets[] = {
    {nn::DatasetKind::circle, "points inside radius 2.5 vs a ring from 3.5 to 5"},
    {nn::DatasetKind::xor_, "quadrants: positive where x*y >= 0"},
    {nn::DatasetKind::gauss, "two Gaussian clouds around (2,2) and (-2,-2)"},
    {nn::DatasetKind::spiral, "two interleaved spiral arms"},
    {nn::DatasetKind::plane, "target (x + y) / 10 on [-6,6]^2"},
    {nn::DatasetKind::multi_gauss, "six signed Gaussian bumps on [-6,6]^2"},
};

}  // namespace

int datasets_command(const Args& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "usage: nnsweep datasets\n\nLists the built-in datasets.\n";
    return kExitOk;
  }
  if (!args.empty()) {
    std::cerr << "nnsweep datasets: error: unexpected argument '" << args[0] << "'\n";
    return kExitBadInput;
  }
  std::cout << "dataset      task        description\n";
  for (const DatasetInfo& d : kDatasets) {
    const std::string name(nn::to_string(d.kind));
    const std::string task = nn::is_regression(d.kind) ? "regression" : "binary";
    std::cout << name << std::string(13 - name.size(), ' ') << task
              << std::string(12 - task.size(), ' ') << d.description << "\n";
  }
  std::cout << "csv          any         your own file: data: {dataset: csv, path: FILE, target: "
               "COLUMN, columns: [...]}\n\n"
               "data keys: points (default 500), noise (0..1, default 0), train_fraction (default "
               "0.5),\n"
               "           validation_fraction (default 0), features (any of x1 x2 x1^2 x2^2 "
               "x1*x2 sin(x1) sin(x2))\n";
  return kExitOk;
}

}  // namespace runner
