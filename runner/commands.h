// The subcommands of the nnsweep executable. Each takes the arguments after its own name and
// returns the process exit code (kExit*). Input errors are thrown as nn::InputError and mapped
// to exit code 2 by main, which catches once.
#pragma once

#include <string>
#include <vector>

namespace runner {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInterrupted = 130;

using Args = std::vector<std::string>;

int plan_command(const Args& args);
int run_command(const Args& args);
int report_command(const Args& args);
int merge_command(const Args& args);
int datasets_command(const Args& args);
int predict_command(const Args& args);

// The version line printed by `nnsweep --version` and written into manifests.
std::string version_string();
// The Eigen version the build was compiled against, e.g. "3.4.0" (the manifest records it).
std::string eigen_version();

}  // namespace runner
