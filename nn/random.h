// The random numbers of nn/: one explicitly passed generator per dataset or training, seeded
// from the caller's seed. std::mt19937_64's sequence is fixed by the C++ standard, but std::
// distributions are not (each standard library draws differently), so draws go through
// Boost.Random's distributions, whose code is the same everywhere.
#pragma once

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cstdint>
#include <random>
#include <span>
#include <utility>

namespace nn {

using Rng = std::mt19937_64;

inline double uniform(Rng& rng, double lo, double hi) {
  return boost::random::uniform_real_distribution<double>(lo, hi)(rng);
}
inline double normal(Rng& rng, double mean, double stddev) {
  return boost::random::normal_distribution<double>(mean, stddev)(rng);
}
// Uniform in [lo, hi], both ends included.
inline std::int64_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi) {
  return boost::random::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

// Fisher-Yates. Written out because std::shuffle's algorithm is unspecified, so its order
// differs between standard libraries.
template <typename T>
void shuffle(std::span<T> items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform_int(rng, 0, static_cast<std::int64_t>(i - 1)));
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace nn
