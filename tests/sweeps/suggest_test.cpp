#include "sweeps/suggest.h"

#include <gtest/gtest.h>

namespace sweeps {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("learning_rate", "learnig_rate"), 1u);
}

TEST(DidYouMean, SuggestsTheClosestNearCandidate) {
  const std::vector<std::string> keys = {"grid", "seed", "repeats"};
  EXPECT_EQ(did_you_mean("gird", keys), " (did you mean 'grid'?)");
  EXPECT_EQ(did_you_mean("repeat", keys), " (did you mean 'repeats'?)");
}

TEST(DidYouMean, SaysNothingWhenNoCandidateIsClose) {
  EXPECT_EQ(did_you_mean("optimizer", {"grid", "seed"}), "");
}

}  // namespace
}  // namespace sweeps
