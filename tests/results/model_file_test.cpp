#include "results/model_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "nn/dataset.h"
#include "nn/input_error.h"
#include "nn/predict.h"
#include "nn/train.h"

namespace results {
namespace {

nn::TrialConfig small_config() {
  nn::TrialConfig c;
  c.data.dataset = nn::DatasetKind::circle;
  c.data.points = 80;
  c.data.features = {nn::Feature::x1, nn::Feature::x2, nn::Feature::x1_squared,
                     nn::Feature::sin_x2};
  c.model.hidden = {5, 3};
  c.train.epochs = 20;
  return c;
}

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}

TEST(ModelFile, SaveLoadPredictEqualsTheTrainedNetworkBitForBit) {
  const nn::TrialConfig config = small_config();
  const nn::Dataset data = nn::make_dataset(config.data, 11);
  const nn::TrainResult result = nn::train(config, data, 5);
  const ModelFile model =
      make_model("00000000000000ab", 3, "unit", 5, 11, "converged",
                 {{"train.learning_rate", "0.03"}}, config, data, result.parameters);
  const ModelFile loaded = parse_model(format_model(model), "m.yaml");
  EXPECT_EQ(loaded.parameters, result.parameters);
  EXPECT_EQ(loaded.features, config.data.features);
  EXPECT_EQ(loaded.trial_id, "00000000000000ab");
  EXPECT_EQ(loaded.config, model.config);

  const nn::Mlp trained(data.inputs(), config.model.hidden, data.outputs(), config.model.activation,
                        config.model.leaky_relu_slope, data.task);
  const Eigen::MatrixXd expected = nn::predict(trained, result.parameters, data.test.x);
  // predict reads raw x1, x2 and computes the features itself.
  nn::DataConfig raw_config = config.data;
  raw_config.features = {nn::Feature::x1, nn::Feature::x2};
  const nn::Dataset raw = nn::make_dataset(raw_config, 11);
  const Eigen::MatrixXd got =
      nn::predict(loaded.mlp(), loaded.parameters, loaded.network_input(raw.test.x));
  EXPECT_TRUE(same_bits(got, expected));
}

TEST(ModelFile, CsvModelKeepsTheTrainingStandardisation) {
  const auto path = std::filesystem::temp_directory_path() / "nnsweep_model_file_test.csv";
  {
    std::ofstream out(path);
    out << "a,b,label\n";
    for (int i = 0; i < 40; ++i) out << i * 0.5 << "," << (i % 7) * 3.25 << "," << (i % 3) << "\n";
  }
  nn::TrialConfig config;
  config.data.dataset = nn::DatasetKind::csv;
  config.data.path = path.string();
  config.data.target = "label";
  config.model.hidden = {4};
  config.train.epochs = 3;
  const nn::Dataset data = nn::make_dataset(config.data, 2);
  ASSERT_EQ(data.feature_mean.size(), 2);
  const nn::TrainResult result = nn::train(config, data, 9);
  const ModelFile loaded =
      parse_model(format_model(make_model("id", 0, "csv", 9, 2, "converged", {}, config, data,
                                          result.parameters)),
                  "m.yaml");
  EXPECT_EQ(loaded.inputs, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(loaded.class_names, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(loaded.task, nn::Task::multiclass);
  for (int f = 0; f < 2; ++f) {
    EXPECT_EQ(loaded.feature_mean[static_cast<std::size_t>(f)], data.feature_mean(f));
    EXPECT_EQ(loaded.feature_scale[static_cast<std::size_t>(f)], data.feature_scale(f));
  }
  // Raw values standardised by the model equal what training saw.
  const Eigen::MatrixXd raw =
      (data.train.x.array().colwise() * data.feature_scale.array()).colwise() +
      data.feature_mean.array();
  const Eigen::MatrixXd again = loaded.network_input(raw);
  EXPECT_LT((again - data.train.x).cwiseAbs().maxCoeff(), 1e-12);
  std::filesystem::remove(path);
}

TEST(ModelFile, NonFiniteParametersRoundTrip) {
  const nn::TrialConfig config = small_config();
  const nn::Dataset data = nn::make_dataset(config.data, 1);
  const nn::Mlp mlp(data.inputs(), config.model.hidden, 1, config.model.activation, 0.01,
                    nn::Task::binary);
  std::vector<double> params(static_cast<std::size_t>(mlp.parameter_count()), 0.25);
  params[0] = INFINITY, params[1] = -INFINITY, params[2] = std::nan(""), params[3] = -0.0;
  params[4] = 5e-324;
  const ModelFile loaded = parse_model(
      format_model(make_model("x", 0, "s", 0, 0, "diverged", {}, config, data, params)), "m.yaml");
  EXPECT_EQ(loaded.parameters[0], INFINITY);
  EXPECT_EQ(loaded.parameters[1], -INFINITY);
  EXPECT_TRUE(std::isnan(loaded.parameters[2]));
  EXPECT_TRUE(std::signbit(loaded.parameters[3]));
  EXPECT_EQ(loaded.parameters[4], 5e-324);
}

TEST(ModelFile, RejectsWhatIsNotAModel) {
  EXPECT_THROW(parse_model("a: 1\n", "m.yaml"), nn::InputError);
  EXPECT_THROW(parse_model("[unclosed\n", "m.yaml"), nn::InputError);
  const nn::TrialConfig config = small_config();
  const nn::Dataset data = nn::make_dataset(config.data, 1);
  const nn::TrainResult result = nn::train(config, data, 1);
  std::string text =
      format_model(make_model("x", 0, "s", 0, 0, "converged", {}, config, data, result.parameters));
  const auto biases = text.rfind("biases: [");
  ASSERT_NE(biases, std::string::npos);
  text.insert(biases + 9, "1, ");  // one bias too many in the output layer
  try {
    parse_model(text, "m.yaml");
    FAIL() << "accepted a wrong number of biases";
  } catch (const nn::InputError& e) {
    EXPECT_EQ(e.file(), "m.yaml");
    EXPECT_GT(e.line(), 0);
    EXPECT_NE(std::string(e.what()).find("biases"), std::string::npos);
  }
}

}  // namespace
}  // namespace results
