// Judging the rows of an output directory again (results/rejudge.h) under convergence settings
// changed with `--set`: `nnsweep report DIR --set ...` does it, and a resumed run whose rows were
// judged so judges its new rows the same way.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "nn/config.h"
#include "results/rejudge.h"
#include "sweeps/overrides.h"

namespace runner {

// `earlier` (KEY=VALUE texts, as manifest.yaml's judged_with) followed by `added`: the last value
// of each setting, in the order the settings were first set.
std::vector<std::string> merge_overrides(std::span<const std::string> earlier,
                                         std::span<const sweeps::Override> added);

// The convergence settings of the sweep `spec_yaml` (a manifest's resolved spec, named `file`)
// with `overrides` applied. Throws nn::InputError naming `--set` for a value the sweep refuses.
nn::ConvergenceConfig convergence_with(const std::string& spec_yaml,
                                       std::span<const std::string> overrides,
                                       const std::filesystem::path& dir, const std::string& file);

// The convergence settings a finished run in `dir` is judged again with: its spec's (a
// manifest's resolved spec, named `file`) with `overrides` applied, checked as a sweep file
// checks them (ranges, names) and against the run's rows (accuracy needs classification rows, a
// val_loss monitor rows with a validation split). Reads no data file: the run's CSV may have
// moved since. Throws nn::InputError naming `--set`.
nn::ConvergenceConfig convergence_for_run(const std::filesystem::path& dir,
                                          const std::string& spec_yaml,
                                          std::span<const std::string> overrides,
                                          const std::string& file);

// Puts the files of `dir` in trial order and judges every row of trials.csv again under `rules`
// from curves.csv (atomically replaced). Throws nn::InputError when curves.csv is missing or
// does not hold every epoch.
results::RejudgeCount judge_rows_again(const std::filesystem::path& dir,
                                       const nn::ConvergenceConfig& rules);

}  // namespace runner
