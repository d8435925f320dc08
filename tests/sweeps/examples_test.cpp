// Every bundled example sweep loads and validates, and the lesson stays small enough to run
// in seconds.
#include <gtest/gtest.h>

#include "sweep_test_util.h"

namespace sweeps {
namespace {

TEST(Examples, EveryExampleLoadsAndValidates) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::test_data_dir())) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    Sweep s = load_sweep(entry.path());
    EXPECT_GT(s.size(), 0u);
    EXPECT_EQ(s.name() + ".yaml", entry.path().filename().string() == "batch_epochs.yaml"
                                      ? "batch-epochs.yaml"
                                      : s.name() + ".yaml");
    for (std::uint64_t i = 0; i < s.size(); ++i) EXPECT_EQ(s.trial(i).index, i);
    ++count;
  }
  EXPECT_GE(count, 6);
}

TEST(Examples, LessonIsSevenRatesByFourActivationsTwice) {
  const Sweep s = load_sweep(testing::test_data_dir() / "lesson.yaml");
  EXPECT_EQ(s.size(), 56u);
  ASSERT_EQ(s.axes().size(), 2u);
  EXPECT_EQ(s.axes()[0].values.size(), 7u);
  EXPECT_EQ(s.axes()[1].values.size(), 4u);
}

TEST(Examples, LossIsTwoLossesBySixRatesTwiceOnEachDataset) {
  for (const char* file : {"loss.yaml", "loss_circle.yaml"}) {
    const Sweep s = load_sweep(testing::test_data_dir() / file);
    EXPECT_EQ(s.size(), 24u) << file;
    ASSERT_EQ(s.axes().size(), 2u) << file;
    EXPECT_EQ(s.axes()[0].key, "model.loss");
    EXPECT_EQ(s.axes()[0].values.size(), 2u);
    EXPECT_EQ(s.report().cell, "outcome");
  }
}

}  // namespace
}  // namespace sweeps
