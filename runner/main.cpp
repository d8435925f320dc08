// nnsweep: parse the subcommand, run it, map errors to exit codes.
#include <exception>
#include <iostream>
#include <string_view>

#include <boost/program_options/errors.hpp>

#include "nn/csv_values.h"
#include "nn/input_error.h"
#include "runner/commands.h"

namespace {

struct Command {
  std::string_view name;
  int (*run)(const runner::Args&);
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"run", runner::run_command, "train every trial of a sweep file and write its results"},
    {"plan", runner::plan_command, "validate a sweep file and show its trials; trains nothing"},
    {"report", runner::report_command, "rebuild tables and report from a results directory"},
    {"merge", runner::merge_command, "combine the output directories of a sweep's shards"},
    {"datasets", runner::datasets_command, "list the built-in datasets and their parameters"},
    {"predict", runner::predict_command, "run a saved model on the rows of a CSV file"},
};

// In the form help2man reads (the man page is made from it): "Usage:" and "or:" lines first.
void print_usage(std::ostream& out) {
  out << "Usage: nnsweep COMMAND [ARGUMENTS] [OPTIONS]\n"
         "  or:  nnsweep --version\n"
         "Trains every combination of the settings a sweep file names (small neural networks)\n"
         "and writes tables of which converged, after how many epochs, and how well.\n\n"
         "Commands:\n";
  for (const Command& c : kCommands)
    out << "  " << c.name << std::string(10 - c.name.size(), ' ') << c.summary << "\n";
  out << "\nnnsweep COMMAND --help shows a command's arguments and options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(std::cerr);
    return runner::kExitBadInput;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout);
    return runner::kExitOk;
  }
  if (name == "--version") {
    std::cout << runner::version_string() << "\n";
    return runner::kExitOk;
  }
  // A sweep's validation, plan and run read each CSV selection once.
  const nn::CsvValuesKept keep_csv_values;
  for (const Command& c : kCommands) {
    if (c.name != name) continue;
    try {
      return c.run(runner::Args(argv + 2, argv + argc));
    } catch (const nn::InputError& e) {
      std::cerr << e.describe() << "\n";
      return runner::kExitBadInput;
    } catch (const boost::program_options::error& e) {
      std::cerr << "nnsweep " << name << ": error: " << e.what() << "\n";
      return runner::kExitBadInput;
    } catch (const std::exception& e) {
      std::cerr << "nnsweep " << name << ": error: " << e.what() << "\n";
      return runner::kExitFailure;
    }
  }
  std::cerr << "nnsweep: error: unknown command '" << name << "'\n\n";
  print_usage(std::cerr);
  return runner::kExitBadInput;
}
