// Shards: `--shard K/N` parsing, and the trial ranges the N shards cover.
#include "runner/shard.h"

#include <gtest/gtest.h>

#include <boost/program_options/errors.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace runner {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_shard(text);
  } catch (const boost::program_options::error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Shard, ParsesKOverNWithKCountingFromZero) {
  const Shard s = parse_shard("2/5");
  EXPECT_EQ(s.index, 2u);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.text(), "2/5");
  EXPECT_FALSE(s.whole());
  EXPECT_TRUE(parse_shard("0/1").whole());
}

TEST(Shard, RefusesAnythingButKOverNWithKBelowN) {
  for (const std::string text :
       {"5/5", "6/5", "1/0", "1", "/2", "1/", "a/2", "-1/2", "1/2x", " 1/2", "1/4294967297", ""})
    EXPECT_EQ(error_of(text),
              "--shard takes K/N with 0 <= K < N (K counts from 0), not '" + text + "'")
        << text;
  EXPECT_EQ(error_of("4294967295/4294967296"), "no error");
}

// Contiguous ranges in shard order, none empty while there are trials to share, no two
// differing by more than one trial.
TEST(Shard, TheShardsCoverEveryTrialOnceInOrderAndEvenly) {
  for (const std::uint64_t trials : {0u, 1u, 7u, 100u, 101u, 1000003u})
    for (std::uint64_t n = 1; n <= 9; ++n) {
      std::uint64_t next = 0, smallest = trials, largest = 0;
      for (std::uint64_t k = 0; k < n; ++k) {
        const Shard s{.index = k, .count = n};
        ASSERT_EQ(s.begin(trials), next) << trials << " " << k << "/" << n;
        ASSERT_LE(s.begin(trials), s.end(trials));
        next = s.end(trials);
        smallest = std::min(smallest, s.end(trials) - s.begin(trials));
        largest = std::max(largest, s.end(trials) - s.begin(trials));
      }
      EXPECT_EQ(next, trials) << trials << "/" << n;
      EXPECT_LE(largest - smallest, 1u) << trials << "/" << n;
    }
}

TEST(Shard, TheLargestSweepSplitsWithoutOverflow) {
  const std::uint64_t trials = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t n = std::uint64_t{1} << 32;
  const Shard last{.index = n - 1, .count = n};
  EXPECT_EQ(last.end(trials), trials);
  const Shard first{.index = 0, .count = n};
  EXPECT_EQ(first.begin(trials), 0u);
  EXPECT_EQ(first.end(trials), trials / n);
  const Shard second{.index = 1, .count = n};
  EXPECT_EQ(second.begin(trials), first.end(trials));
}

}  // namespace
}  // namespace runner
