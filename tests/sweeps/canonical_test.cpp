#include "sweeps/canonical.h"

#include <gtest/gtest.h>

#include "sweeps/setting.h"
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

TEST(Canonical, ListsTheTrainingSettingsThatApplyInTableOrder) {
  const std::string text = canonical(nn::TrialConfig{});
  EXPECT_EQ(text.substr(0, text.find('\n')), "data.dataset: circle");
  EXPECT_NE(text.find("model.hidden: 4-2\n"), std::string::npos);
  EXPECT_NE(text.find("data.features: x1 x2\n"), std::string::npos);
  EXPECT_EQ(text.substr(text.rfind("train.")), "train.regularization: none\n");
  // Settings that do not apply to the default (sgd, tanh, no penalty, built-in data).
  for (const char* absent : {"train.momentum", "train.beta1", "train.epsilon",
                             "model.leaky_relu_slope", "train.regularization_rate", "data.path"})
    EXPECT_EQ(text.find(absent), std::string::npos) << absent;
}

TEST(Canonical, LeavesAnalysisSettingsOutOfEveryText) {
  nn::TrialConfig a, b;
  b.convergence.learned_below = 0.3;
  b.convergence.divergence_factor = 3;
  for (auto part : {CanonicalPart::identity, CanonicalPart::stream, CanonicalPart::data})
    EXPECT_EQ(canonical(a, part), canonical(b, part));
  EXPECT_EQ(canonical(a).find("convergence."), std::string::npos);
}

TEST(Canonical, LeavesOutASettingThatDoesNotApply) {
  nn::TrialConfig a, b;
  b.train.momentum = 0.5;  // sgd: momentum does not apply
  EXPECT_EQ(canonical(a), canonical(b));
  a.train.optimizer = b.train.optimizer = nn::Optimizer::momentum;
  EXPECT_NE(canonical(a), canonical(b));
  nn::TrialConfig c, d;
  c.data.dataset = d.data.dataset = nn::DatasetKind::csv;
  d.data.points = 7;  // csv data: points do not apply
  EXPECT_EQ(canonical(c, CanonicalPart::data), canonical(d, CanonicalPart::data));
  const auto points = static_cast<std::size_t>(find_setting("data.points") - settings().data());
  EXPECT_EQ(canonical_texts(d).values[points], "");  // the cell of data.points
}

// model.loss came after the identity scheme: at `auto`, the behaviour from before it, it is
// left out, so the ids of earlier sweeps stay; any other value is part of the identity.
TEST(Canonical, ALaterSettingAtItsNeutralValueLeavesTheIdentityAsItWas) {
  nn::TrialConfig a, b;
  b.model.loss = nn::Loss::mse;
  EXPECT_EQ(canonical(a).find("model.loss"), std::string::npos);
  EXPECT_NE(canonical(b).find("model.loss: mse\n"), std::string::npos);
  EXPECT_EQ(canonical(a, CanonicalPart::stream), canonical(b, CanonicalPart::stream));
  const auto at = static_cast<std::size_t>(find_setting("model.loss") - settings().data());
  EXPECT_EQ(canonical_texts(a).values[at], "auto");  // its trials.csv cell is still written
  // train.shuffle likewise: every_epoch is how training ran before it existed.
  nn::TrialConfig c;
  c.train.shuffle = nn::Shuffle::never;
  EXPECT_EQ(canonical(a).find("train.shuffle"), std::string::npos);
  EXPECT_NE(canonical(c).find("train.shuffle: never\n"), std::string::npos);
  // train.class_weight: none weighs every sample alike, as training did before it existed; the
  // weights change no random stream, so balanced and none start from the same weights.
  nn::TrialConfig d;
  d.train.class_weight = nn::ClassWeight::balanced;
  EXPECT_EQ(canonical(a).find("train.class_weight"), std::string::npos);
  EXPECT_NE(canonical(d).find("train.class_weight: balanced\n"), std::string::npos);
  EXPECT_EQ(canonical(a, CanonicalPart::stream), canonical(d, CanonicalPart::stream));
}

// data.categorical and data.missing: at `error` a csv trial's id is what it was before them;
// other values change its data (and its data stream).
TEST(Canonical, CategoricalAndMissingAtErrorLeaveACsvTrialsIdAlone) {
  nn::TrialConfig a;
  a.data.dataset = nn::DatasetKind::csv;
  a.data.path = "d.csv";
  a.data.target = "label";
  nn::TrialConfig b = a, c = a;
  b.data.categorical = nn::Categorical::onehot;
  c.data.missing = nn::Missing::drop_rows;
  EXPECT_EQ(canonical(a).find("data.categorical"), std::string::npos);
  EXPECT_EQ(canonical(a).find("data.missing"), std::string::npos);
  EXPECT_NE(canonical(b).find("data.categorical: onehot\n"), std::string::npos);
  EXPECT_NE(canonical(c).find("data.missing: drop_rows\n"), std::string::npos);
  EXPECT_NE(canonical(a, CanonicalPart::data), canonical(b, CanonicalPart::data));
  EXPECT_NE(canonical(a, CanonicalPart::stream), canonical(c, CanonicalPart::stream));
}

TEST(Canonical, StreamsDependOnDataShapeAndInitOnly) {
  nn::TrialConfig a, b;
  b.train.learning_rate = 1;
  b.train.optimizer = nn::Optimizer::adam;
  b.train.epochs = 999;
  b.train.batch_size = 3;
  b.train.regularization = nn::Regularization::l2;
  b.model.activation = nn::Activation::relu;
  EXPECT_EQ(canonical(a, CanonicalPart::stream), canonical(b, CanonicalPart::stream));
  EXPECT_NE(canonical(a), canonical(b));
  for (auto change : {+[](nn::TrialConfig& c) { c.model.hidden = {8}; },
                      +[](nn::TrialConfig& c) { c.model.init = nn::Init::he; },
                      +[](nn::TrialConfig& c) { c.data.noise = 0.2; }}) {
    nn::TrialConfig c;
    change(c);
    EXPECT_NE(canonical(a, CanonicalPart::stream), canonical(c, CanonicalPart::stream));
  }
}

TEST(Canonical, TrainingTextIsTheIdentityWithoutTheBudget) {
  nn::TrialConfig a, b;
  b.train.epochs = 999;
  EXPECT_NE(canonical_texts(a).identity, canonical_texts(b).identity);
  EXPECT_EQ(canonical_texts(a).training, canonical_texts(b).training);
  b.train.learning_rate = 1;
  EXPECT_NE(canonical_texts(a).training, canonical_texts(b).training);
  EXPECT_EQ(canonical(a, CanonicalPart::data).find("train."), std::string::npos);
}

TEST(Canonical, WritesNoHiddenLayerAsNone) {
  nn::TrialConfig c;
  c.model.hidden = {};
  EXPECT_NE(canonical(c).find("model.hidden: none\n"), std::string::npos);
}

}  // namespace
}  // namespace sweeps
