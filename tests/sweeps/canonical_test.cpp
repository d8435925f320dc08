#include "sweeps/canonical.h"

#include <gtest/gtest.h>

#include "sweeps/spec.h"

namespace sweeps {
namespace {

TEST(StableHash, IsFixedForeverOnKnownInputs) {
  // Ids and seeds of existing result sets depend on these values: they must never change.
  // (Checked against an independent implementation of FNV-1a + splitmix64.)
  EXPECT_EQ(hex16(stable_hash("")), "f52a15e9a9b5e89b");
  EXPECT_EQ(hex16(stable_hash("train.learning_rate: 0.03\n")), "0ad49c767761daca");
}

TEST(StableHash, DiffersForNearlyEqualText) {
  EXPECT_NE(stable_hash("repeat: 0\n"), stable_hash("repeat: 1\n"));
}

TEST(FormatNumber, IsTheShortestTextThatRoundTrips) {
  EXPECT_EQ(format_number(0.03), "0.03");
  EXPECT_EQ(format_number(1e-5), "1e-05");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_number(3), "3");
  EXPECT_EQ(format_number(-0.0), "0");
}

TEST(Canonical, ListsEverySettingInTableOrder) {
  const std::string text = canonical(nn::TrialConfig{});
  EXPECT_EQ(text.substr(0, text.find('\n')), "data.dataset: circle");
  EXPECT_NE(text.find("model.hidden: 4-2\n"), std::string::npos);
  EXPECT_NE(text.find("data.features: x1 x2\n"), std::string::npos);
  EXPECT_NE(text.find("train.epsilon: 1e-08\n"), std::string::npos);
  EXPECT_EQ(text.substr(text.rfind("convergence.")), "convergence.smoothing: 0.05\n");
}

TEST(Canonical, LeavesOutEpochsForTheSeedAndKeepsOnlyDataForTheDataSeed) {
  nn::TrialConfig a, b;
  b.train.epochs = 999;
  EXPECT_NE(canonical(a, CanonicalPart::all), canonical(b, CanonicalPart::all));
  EXPECT_EQ(canonical(a, CanonicalPart::without_epochs),
            canonical(b, CanonicalPart::without_epochs));
  b.train.learning_rate = 1;
  EXPECT_EQ(canonical(a, CanonicalPart::data), canonical(b, CanonicalPart::data));
  EXPECT_EQ(canonical(a, CanonicalPart::data).find("train."), std::string::npos);
}

TEST(Canonical, WritesNoHiddenLayerAsNone) {
  nn::TrialConfig c;
  c.model.hidden = {};
  EXPECT_NE(canonical(c).find("model.hidden: none\n"), std::string::npos);
}

}  // namespace
}  // namespace sweeps
