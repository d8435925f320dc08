// The random numbers of nn/: one explicitly passed generator per dataset or training, seeded
// from the caller's seed. std::mt19937_64's sequence is fixed by the C++ standard, but std::
// distributions are not (each standard library draws differently), so draws go through
// Boost.Random's distributions, whose code is the same everywhere.
#pragma once

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cassert>
#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

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

// Fisher-Yates over spans of one size, drawing exactly what shuffle() draws, faster.
// boost::random::uniform_int_distribution(0, i - 1) on a 64-bit engine divides twice per draw:
// once for the bucket size 2^64 / i (Boost's rounding) and once for draw / bucket. Training
// shuffles the same number of items every epoch, so the bucket sizes are computed once here and
// the quotient comes from a multiplication (draw x i / 2^64, which is exact or one too small,
// then corrected). A fifth of a small network's training was these divisions.
class Shuffler {
 public:
  explicit Shuffler(std::size_t size) : bucket_(size + 1) {
    constexpr std::uint64_t kMax = ~std::uint64_t{0};  // the engine's range: [0, 2^64 - 1]
    for (std::size_t i = 2; i <= size; ++i) {          // one outcome needs no draw
      bucket_[i] = kMax / i;
      if (kMax % i == i - 1) ++bucket_[i];
    }
  }

  template <typename T>
  void operator()(std::span<T> items, Rng& rng) const {
    assert(items.size() < bucket_.size());
    for (std::size_t i = items.size(); i > 1; --i) {
      std::uint64_t q;
      do q = bucket_of(rng(), i);
      while (q > i - 1);  // past the last whole bucket: Boost draws again
      std::swap(items[i - 1], items[q]);
    }
  }

  // draw / (Boost's bucket size for i outcomes), 2 <= i <= size.
  std::uint64_t bucket_of(std::uint64_t draw, std::size_t i) const {
    __extension__ using Wide = unsigned __int128;  // GCC and Clang: the high half of a product
    const std::uint64_t bucket = bucket_[i];
    auto q = static_cast<std::uint64_t>((Wide{draw} * i) >> 64);
    while (Wide{q + 1} * bucket <= draw) ++q;
    return q;
  }

 private:
  std::vector<std::uint64_t> bucket_;  // bucket_[i]: Boost's bucket size for i outcomes
};

}  // namespace nn
