#include "nn/random.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

namespace nn {
namespace {

// What Boost's uniform_int_distribution computes for 0..i-1 from one 64-bit draw.
std::uint64_t boost_bucket_of(std::uint64_t draw, std::uint64_t i) {
  constexpr std::uint64_t kMax = ~std::uint64_t{0};
  std::uint64_t bucket = kMax / i;
  if (kMax % i == i - 1) ++bucket;
  return draw / bucket;
}

TEST(Mt64, DrawsWhatStdMt19937_64Draws) {
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{5489},
                                   ~std::uint64_t{0}, std::uint64_t{0x9e3779b97f4a7c15}}) {
    std::mt19937_64 reference(seed);
    Mt64 rng(seed);
    // Ten blocks and a part: every position of a block, and the renewal between blocks.
    for (int i = 0; i < 10 * 312 + 17; ++i)
      ASSERT_EQ(rng(), reference()) << "seed " << seed << ", draw " << i;
  }
  std::mt19937_64 reference;
  Mt64 rng;
  EXPECT_EQ(rng(), reference());  // the default seed
}

TEST(Mt64, TakesTheSameNumbersSeveralAtATime) {
  Mt64 one_by_one(9), several(9);
  for (std::size_t want : {1, 5, 300, 312, 1000, 7, 311, 2}) {
    std::size_t count = want;
    const std::uint64_t* numbers = several.take(count);
    ASSERT_GE(count, 1u);
    ASSERT_LE(count, want);
    for (std::size_t k = 0; k < count; ++k) ASSERT_EQ(numbers[k], one_by_one()) << want;
  }
  EXPECT_EQ(several(), one_by_one());
}

TEST(Mt64, GivesBoostsDistributionsTheSameNumbers) {
  std::mt19937_64 reference(42);
  Rng rng(42);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(normal(rng, 0, 1), boost::random::normal_distribution<double>(0, 1)(reference));
    ASSERT_EQ(uniform(rng, -1, 1),
              boost::random::uniform_real_distribution<double>(-1, 1)(reference));
    ASSERT_EQ(uniform_int(rng, 0, 249),
              boost::random::uniform_int_distribution<std::int64_t>(0, 249)(reference));
  }
}

TEST(Shuffler, DividesIntoBucketsAsBoostDoesAtEveryEdge) {
  const std::size_t size = 5000;
  const Shuffler shuffler(size);
  Rng rng(3);
  for (std::uint64_t i = 2; i <= size; ++i) {
    std::vector<std::uint64_t> draws = {0,     1,    ~std::uint64_t{0}, ~std::uint64_t{0} - 1,
                                        rng(), rng()};
    // Around each bucket boundary Boost's rounding decides.
    for (const std::uint64_t k : {std::uint64_t{1}, i / 2, i - 1, i}) {
      const std::uint64_t edge = (~std::uint64_t{0}) / i * k;
      for (const std::uint64_t d : {edge - 1, edge, edge + 1, edge + i}) draws.push_back(d);
    }
    for (const std::uint64_t draw : draws)
      ASSERT_EQ(shuffler.bucket_of(draw, i), boost_bucket_of(draw, i)) << draw << " / " << i;
  }
}

TEST(Shuffler, GivesTheSameOrderAsShuffle) {
  for (const std::size_t size : {0, 1, 2, 3, 7, 64, 250, 251, 1000, 4096, 100000}) {
    const Shuffler shuffler(size);
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
      std::vector<long> a(size), b(size);
      std::iota(a.begin(), a.end(), 0L);
      b = a;
      Rng ra(seed), rb(seed);
      for (int epoch = 0; epoch < 3; ++epoch) {
        shuffle(std::span(a), ra);
        shuffler(std::span(b), rb);
        ASSERT_EQ(a, b) << size << " items, seed " << seed;
      }
      EXPECT_EQ(ra(), rb());  // and the generators are left in the same state
    }
  }
}

}  // namespace
}  // namespace nn
