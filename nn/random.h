// The random numbers of nn/: one explicitly passed generator per dataset or training, seeded
// from the caller's seed. std::mt19937_64's sequence (Mt64 draws it) is fixed by the C++ standard,
// but std:: distributions are not (each standard library draws differently), so draws go through
// Boost.Random's distributions, whose code is the same everywhere.
#pragma once

#include <algorithm>
#include <array>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cassert>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace nn {

// std::mt19937_64's numbers, tempered a block at a time. The standard engine tempers each number
// as it is drawn, in scalar code: a good part of the work of every draw, and a small network's
// training shuffles its training set every epoch (figures in bench/README.md). Here refill()
// twists the state and tempers all 312 numbers of the next block in loops the compiler
// vectorises, and a draw is a load. Written out because no library engine hands out its numbers
// in blocks; the numbers are those of std::mt19937_64 seeded with the same value
// (tests/nn/random_test.cpp compares them).
class Mt64 {
 public:
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }

  explicit Mt64(result_type seed = 5489) {
    state_[0] = seed;
    for (std::size_t i = 1; i < kN; ++i)
      state_[i] = 6364136223846793005ULL * (state_[i - 1] ^ (state_[i - 1] >> 62)) + i;
  }

  result_type operator()() {
    if (next_ == kN) refill();
    return block_[next_++];
  }

  // The next numbers of the sequence, several at once, for a loop that would otherwise keep the
  // engine's position in memory from one draw to the next: returns where they are and sets
  // `count` (at least 1 on entry) to how many were taken, at least 1 and at most `count`.
  const result_type* take(std::size_t& count) {
    if (next_ == kN) refill();
    const result_type* numbers = block_.data() + next_;
    count = std::min(count, kN - next_);
    next_ += count;
    return numbers;
  }

 private:
  static constexpr std::size_t kN = 312, kM = 156;

  // Out of line: inlined into a shuffle's loop it took registers the loop needs.
  [[gnu::noinline]] void refill() {
    constexpr std::uint64_t kUpper = ~std::uint64_t{0} << 31, kLower = ~kUpper;
    const auto twist = [](std::uint64_t upper_of, std::uint64_t lower_of, std::uint64_t with) {
      const std::uint64_t y = (upper_of & kUpper) | (lower_of & kLower);
      return with ^ (y >> 1) ^ ((y & 1) * 0xb5026f5aa96619e9ULL);
    };
    // Element k takes k + 1 and k + kM: the first kN - kM from the old state, the rest from
    // elements already renewed (k + kM - kN), as the standard's recurrence has it.
    for (std::size_t k = 0; k < kN - kM; ++k)
      state_[k] = twist(state_[k], state_[k + 1], state_[k + kM]);
    for (std::size_t k = kN - kM; k < kN - 1; ++k)
      state_[k] = twist(state_[k], state_[k + 1], state_[k + kM - kN]);
    state_[kN - 1] = twist(state_[kN - 1], state_[0], state_[kM - 1]);
    for (std::size_t k = 0; k < kN; ++k) {
      std::uint64_t z = state_[k];
      z ^= (z >> 29) & 0x5555555555555555ULL;
      z ^= (z << 17) & 0x71d67fffeda60000ULL;
      z ^= (z << 37) & 0xfff7eee000000000ULL;
      block_[k] = z ^ (z >> 43);
    }
    next_ = 0;
  }

  std::array<std::uint64_t, kN> state_;
  std::array<std::uint64_t, kN> block_;
  std::size_t next_ = kN;
};

using Rng = Mt64;

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
// then corrected): a 64-bit division takes several times as long as a multiplication, and a
// small network's training draws once per training sample every epoch.
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
    for (std::size_t i = items.size(); i > 1;) {
      // Every draw moves i down by one or (past the last whole bucket) is drawn again, as
      // Boost does: no more than i - 1 draws are needed from here, so none is taken unused.
      std::size_t count = i - 1;
      const std::uint64_t* draws = rng.take(count);
      for (std::size_t k = 0; k < count; ++k) {
        const std::uint64_t q = bucket_of(draws[k], i);
        if (q > i - 1) continue;
        std::swap(items[i - 1], items[q]);
        --i;
      }
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
