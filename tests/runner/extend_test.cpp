#include "runner/extend.h"

#include <gtest/gtest.h>

namespace runner {
namespace {

// Growing is refused for a sweep whose resolved spec has a `halving:` section, and only then.
TEST(Extend, HalvingIsFoundAtTheTopLevelOnly) {
  EXPECT_TRUE(uses_halving("name: a\nhalving: {eta: 3, min_epochs: 10}\n"));
  EXPECT_TRUE(uses_halving("name: a\nhalving:\n  eta: 3\n"));
  EXPECT_FALSE(uses_halving("name: a\nhalving: ~\n"));
  EXPECT_FALSE(uses_halving("name: a\ngrid: {train.epochs: [1, 2]}\n"));
  EXPECT_FALSE(uses_halving("name: halving\nreport: {rows: halving}\n"));
  EXPECT_FALSE(uses_halving("not: [yaml"));
}

}  // namespace
}  // namespace runner
