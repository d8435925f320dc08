#include "runner/shard.h"

#include <boost/program_options/errors.hpp>
#include <charconv>

#include "nn/input_error.h"

namespace runner {
namespace {

// floor(trials * k / n) without overflowing 64 bits (k <= n < 2^32).
std::uint64_t split_point(std::uint64_t trials, std::uint64_t k, std::uint64_t n) {
  return trials / n * k + trials % n * k / n;
}

}  // namespace

std::uint64_t Shard::begin(std::uint64_t trials) const {
  return split_point(trials, index, count);
}
std::uint64_t Shard::end(std::uint64_t trials) const {
  return split_point(trials, index + 1, count);
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  Shard s;
  const auto number = [&](std::string_view part, std::uint64_t& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  const std::string_view all(text);
  if (slash == std::string::npos || !number(all.substr(0, slash), s.index) ||
      !number(all.substr(slash + 1), s.count) || s.count == 0 || s.index >= s.count ||
      s.count > (1ULL << 32))
    throw boost::program_options::error(
        "--shard takes K/N with 0 <= K < N (K counts from 0), not " + nn::quote_input(text));
  return s;
}

}  // namespace runner
