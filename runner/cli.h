// The command-line parsing every subcommand shares: its options (shown by --help), its
// positional arguments by name, and --help itself. Bad arguments throw
// boost::program_options::error, which main maps to exit code 2.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "runner/commands.h"
#include "sweeps/overrides.h"

namespace runner {

// One positional argument: stored into `one`, or (the last one only) every remaining argument
// into `many`.
struct Positional {
  const char* name;
  std::string* one = nullptr;
  std::vector<std::string>* many = nullptr;
  // With `many`: the 1-based position of each of its values among all the arguments.
  std::vector<int>* positions = nullptr;
};

// Fills `vm` from `args`. Returns false when --help was asked: the help is printed to stdout
// and the command should return kExitOk.
bool parse_command_line(const Args& args,
                        const boost::program_options::options_description& visible,
                        const std::vector<Positional>& positionals,
                        boost::program_options::variables_map& vm);

// The `KEY=VALUE` arguments of run and plan, checked for their form, with their positions.
std::vector<sweeps::SpecOverride> spec_overrides(const std::vector<std::string>& texts,
                                                 const std::vector<int>& positions);

}  // namespace runner
