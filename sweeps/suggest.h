// "Did you mean" suggestions for misspelt keys and names: the candidate nearest to a word by
// edit distance, when it is near enough to be a likely typo. Pure functions, no state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sweeps {

// Levenshtein distance (insertions, deletions, substitutions each cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// " (did you mean 'X'?)" for the closest candidate within a third of the word's length (at
// least 2 edits), or "" when none is that close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace sweeps
