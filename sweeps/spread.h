// How evenly a random search's samples cover their ranges, for `nnsweep plan`: it shows what
// random.method sobol buys over independent draws.
#pragma once

#include <cstddef>
#include <vector>

namespace sweeps {

struct Spread {
  std::size_t bins = 0;    // equal slices of the range: one per sample, or per possible value
  double filled = 0;       // the share of the slices that hold a sample
  double discrepancy = 0;  // the largest gap between the share of samples below x and x
};

// The spread of one parameter's samples, given as positions in [0, 1] (NaN: not drawn, left
// out). `values` is how many values the parameter can take (0: a real number): a parameter with
// fewer values than samples has one slice per value.
Spread spread_of(std::vector<double> unit, std::size_t values);

// Hickernell's centred L2 discrepancy of the points whose coordinates are `columns` (one vector
// per dimension, NaN rows left out), over at most the first `limit` points: it looks at every
// box anchored at a corner of the cube, so it sees clumps in the joint spread that one dimension
// at a time does not. Lower is more even; about 1/n for good quasi-random points, 1/sqrt(n) for
// independent ones.
double centred_l2_discrepancy(const std::vector<std::vector<double>>& columns, std::size_t limit);

}  // namespace sweeps
