#include "results/model_file.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "nn/dataset.h"
#include "nn/encoding.h"
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

TEST(ModelFile, AModelThatDoesNotNameItsEpochReadsAsUnknownEpoch) {
  const nn::TrialConfig config = small_config();
  const nn::Dataset data = nn::make_dataset(config.data, 11);
  std::string text = format_model(make_model({.trial_id = "x", .outcome = "learned"}, config, data,
                                             nn::train(config, data, 5).parameters));
  EXPECT_EQ(text.find("weights_epoch"), std::string::npos);
  EXPECT_EQ(parse_model(text, "m.yaml").origin.epoch, -1);
  text.replace(text.find("config:"), 7, "weights_epoch: 3\nweights_from: best\nconfig:");
  try {
    parse_model(text, "m.yaml");
    FAIL() << "an unknown weights_from was accepted";
  } catch (const nn::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("weights_from"), std::string::npos) << e.what();
  }
}

TEST(ModelFile, SaveLoadPredictEqualsTheTrainedNetworkBitForBit) {
  const nn::TrialConfig config = small_config();
  const nn::Dataset data = nn::make_dataset(config.data, 11);
  const nn::TrainResult result = nn::train(config, data, 5);
  const ModelFile model = make_model({.trial_id = "00000000000000ab",
                                      .trial_index = 3,
                                      .sweep = "unit",
                                      .seed = 5,
                                      .data_seed = 11,
                                      .outcome = "learned",
                                      .config = {{"train.learning_rate", "0.03"}},
                                      .epoch = 37,
                                      .from = WeightsFrom::lowest_val_loss},
                                     config, data, result.parameters);
  const ModelFile loaded = parse_model(format_model(model), "m.yaml");
  EXPECT_EQ(loaded.parameters, result.parameters);
  EXPECT_EQ(loaded.features, config.data.features);
  EXPECT_EQ(loaded.origin.trial_id, "00000000000000ab");
  EXPECT_EQ(loaded.origin.config, model.origin.config);
  EXPECT_EQ(loaded.origin.epoch, 37);
  EXPECT_EQ(loaded.origin.from, WeightsFrom::lowest_val_loss);
  EXPECT_NE(format_model(model).find("weights_epoch: 37\nweights_from: lowest_val_loss\n"),
            std::string::npos);

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
  const auto path = std::filesystem::temp_directory_path() /
                    ("nnsweep_model_file_test_" + std::to_string(::getpid()) + ".csv");
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
  const ModelFile loaded = parse_model(
      format_model(make_model(
          {.trial_id = "id", .sweep = "csv", .seed = 9, .data_seed = 2, .outcome = "learned"},
          config, data, result.parameters)),
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
      format_model(make_model(
          {.trial_id = "x", .sweep = "s", .seed = 0, .data_seed = 0, .outcome = "diverged"}, config,
          data, params)),
      "m.yaml");
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
  std::string text = format_model(
      make_model({.trial_id = "x", .sweep = "s", .seed = 0, .data_seed = 0, .outcome = "learned"},
                 config, data, result.parameters));
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

// A model saved by a run, as text, for the tests that break one part of it.
std::string saved_model_text() {
  const nn::TrialConfig config = small_config();
  const nn::Dataset data = nn::make_dataset(config.data, 1);
  const nn::TrainResult result = nn::train(config, data, 1);
  return format_model(
      make_model({.trial_id = "x", .sweep = "s", .seed = 0, .data_seed = 0, .outcome = "learned"},
                 config, data, result.parameters));
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The message of the InputError parse_model throws, with its position.
std::string refusal(const std::string& text, Weights weights = Weights::finite) {
  try {
    parse_model(text, "m.yaml", weights);
  } catch (const nn::InputError& e) {
    return e.describe();
  }
  return "accepted";
}

TEST(ModelFile, ForPredictionRefusesNonFiniteWeightsAtTheirPosition) {
  const std::string text = saved_model_text();
  const auto biases = text.rfind("biases: [");
  // The output layer's bias becomes NaN.
  const std::string broken =
      text.substr(0, biases + 9) + ".nan" + text.substr(text.find_first_of(",]", biases + 9));
  const std::string message = refusal(broken);
  EXPECT_NE(message.find("m.yaml:"), std::string::npos) << message;
  EXPECT_NE(message.find("biases: '.nan' is not a finite number"), std::string::npos) << message;
  EXPECT_EQ(refusal(broken, Weights::any), "accepted");
}

TEST(ModelFile, RefusesWidthsBeyondTheCapsBeforeAllocating) {
  const std::string text = saved_model_text();
  // widths: [4, 5, 3, 1] -> a hidden width of 30,000 (would be gigabytes with its neighbours).
  const std::string wide = replaced(text, "widths: [4, 5, 3, 1]", "widths: [4, 30000, 30000, 1]");
  EXPECT_NE(refusal(wide).find("a width of 30000 is more than the cap of 4096"), std::string::npos)
      << refusal(wide);
  std::string deep = "widths: [4";
  for (int i = 0; i < 100; ++i) deep += ", 3";
  const std::string many = replaced(text, "widths: [4, 5, 3, 1]", deep + ", 1]");
  EXPECT_NE(refusal(many).find("102 widths, more than the 66"), std::string::npos) << refusal(many);
}

TEST(ModelFile, RefusesAnOutputLayerThatDoesNotMatchTheClasses) {
  const std::string text = saved_model_text();
  // A binary model with two outputs would write rows wider than predict's header.
  const std::string two = refusal(replaced(text, "widths: [4, 5, 3, 1]", "widths: [4, 5, 3, 2]"));
  EXPECT_NE(two.find("a binary network has 1 output, this one 2"), std::string::npos) << two;
  const std::string no_classes = refusal(replaced(text, "classes: [\"0\", \"1\"]", "classes: []"));
  EXPECT_NE(no_classes.find("a binary network needs 2 classes, got 0"), std::string::npos)
      << no_classes;
}

TEST(ModelFile, RefusesAScaleThatIsNotPositive) {
  nn::TrialConfig config;
  config.data.dataset = nn::DatasetKind::csv;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("nnsweep_model_scale_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "d.csv") << "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n";
  config.data.path = (dir / "d.csv").string();
  config.data.target = "y";
  config.model.hidden = {2};
  const nn::Dataset data = nn::make_dataset(config.data, 1);
  const nn::TrainResult result = nn::train(config, data, 1);
  const std::string text = format_model(
      make_model({.trial_id = "x", .sweep = "s", .seed = 0, .data_seed = 0, .outcome = "learned"},
                 config, data, result.parameters));
  const auto at = text.find("scale: [");
  ASSERT_NE(at, std::string::npos);
  const auto end = text.find(']', at);
  for (const std::string bad : {"0", "-1", ".nan", ".inf"}) {
    const std::string broken = text.substr(0, at + 8) + bad + text.substr(end);
    const std::string message = refusal(broken);
    EXPECT_NE(message.find("m.yaml:"), std::string::npos) << message;
    EXPECT_TRUE(message.find("standardization.scale must be > 0") != std::string::npos ||
                message.find("is not a finite number") != std::string::npos)
        << message;
  }
  std::filesystem::remove_all(dir);
}

// Found by the model fuzzer: yaml-cpp throws its own exception for a lookup in a scalar.
TEST(ModelFile, RefusesASectionThatIsNotAMapWithItsPosition) {
  const std::string text = saved_model_text();
  const std::string broken = text.substr(0, text.find("network:")) + "network: 3\n";
  EXPECT_EQ(refusal(broken).substr(0, 7), "m.yaml:");
  EXPECT_NE(refusal(broken).find("model file: expected a map holding 'task'"), std::string::npos)
      << refusal(broken);
}

// A model of a CSV with a text column and missing cells (data.categorical onehot, data.missing
// mean): rows id 0..39, color (`c` + id % 3), a (empty when id % 5 == 3), y (id % 2).
class EncodedModel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nnsweep_encoded_model_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream out(dir_ / "d.csv");
    out << "id,color,a,y\n";
    for (int id = 0; id < 40; ++id)
      out << fmt::format("{},c{},{},{}\n", id, id % 3,
                         id % 5 == 3 ? "" : fmt::format("{}", id * 0.25), id % 2);
    out.close();
    config_.data.dataset = nn::DatasetKind::csv;
    config_.data.path = (dir_ / "d.csv").string();
    config_.data.target = "y";
    config_.data.categorical = nn::Categorical::onehot;
    config_.data.missing = nn::Missing::mean;
    config_.data.validation_fraction = 0.25;
    config_.model.hidden = {3};
    config_.train.epochs = 3;
    data_ = nn::make_dataset(config_.data, 4);
    text_ = format_model(
        make_model({.trial_id = "x", .sweep = "s", .seed = 0, .data_seed = 4, .outcome = "learned"},
                   config_, data_, nn::train(config_, data_, 1).parameters));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string replaced(const std::string& from, const std::string& to) const {
    std::string text = text_;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from << "\n" << text;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }
  std::filesystem::path dir_;
  nn::TrialConfig config_;
  nn::Dataset data_;
  std::string text_;
};

TEST_F(EncodedModel, RoundTripsTheEncodingAndEncodesRawRowsAsTrainingDid) {
  const ModelFile m = parse_model(text_, "m.yaml", Weights::finite);
  EXPECT_EQ(m.inputs, (std::vector<std::string>{"id", "color", "a"}));
  EXPECT_EQ(m.columns, data_.columns);
  EXPECT_EQ(m.columns[1].categories, (std::vector<std::string>{"c0", "c1", "c2"}));
  EXPECT_EQ(m.network_inputs, 5);
  EXPECT_NE(text_.find("encoding:"), std::string::npos);
  // The raw cells of each validation row (its id read back from the standardised input).
  const Eigen::MatrixXd& x = data_.validation.x;
  Eigen::MatrixXd cells(3, x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const long id = std::lround(x(0, j) * data_.feature_scale(0) + data_.feature_mean(0));
    cells(0, j) = static_cast<double>(id);
    cells(1, j) = nn::category_index(m.columns[1], fmt::format("c{}", id % 3));
    cells(2, j) = id % 5 == 3 ? nn::kMissingCell : static_cast<double>(id) * 0.25;
  }
  EXPECT_TRUE(same_bits(m.network_input(cells), x)) << m.network_input(cells) << "\n\n" << x;
}

TEST_F(EncodedModel, AModelWithoutAnEncodingReadsAsNumberColumns) {
  std::string text = text_;
  const auto start = text.find("  encoding:");
  const auto end = text.find("  standardization:");
  ASSERT_NE(start, std::string::npos);
  text.erase(start, end - start);
  // As written before encodings: two number columns, one standardisation each.
  text = std::regex_replace(text, std::regex(R"(inputs: \["id", "color", "a"\])"),
                            R"(inputs: ["id", "a"])");
  text = std::regex_replace(text, std::regex(R"(mean: \[([^,\]]+),[^\]]*\])"), "mean: [$1, 1]");
  text = std::regex_replace(text, std::regex(R"(scale: \[([^,\]]+),[^\]]*\])"), "scale: [$1, 2]");
  text = std::regex_replace(text, std::regex(R"(widths: \[5,)"), "widths: [2,");
  const auto weights = text.find("weights:");
  std::string layer;
  for (int i = 0; i < 3; ++i) layer += "      - [0.5, -0.25]\n";
  text.replace(weights, text.find("biases:") - weights, "weights:\n" + layer + "    ");
  const ModelFile m = parse_model(text, "old.yaml", Weights::finite);
  ASSERT_EQ(m.columns.size(), 2u);
  for (const nn::ColumnEncoding& c : m.columns) {
    EXPECT_EQ(c.kind, nn::ColumnKind::number);
    EXPECT_FALSE(c.fill_missing);
  }
  EXPECT_EQ(m.columns[1].name, "a");
  Eigen::MatrixXd cells(2, 1);
  cells << 3, 5;
  EXPECT_EQ(m.network_input(cells)(1, 0), 2.0);  // (5 - 1) / 2
}

TEST_F(EncodedModel, ANumberModelWritesNoEncoding) {
  config_.data.categorical = nn::Categorical::error;
  config_.data.missing = nn::Missing::error;
  config_.data.columns = {"id"};
  const nn::Dataset data = nn::make_dataset(config_.data, 4);
  const std::string text =
      format_model(make_model({.trial_id = "x", .outcome = "learned"}, config_, data,
                              std::vector<double>(static_cast<std::size_t>(3 * 2 + 3 + 1), 0.5)));
  EXPECT_EQ(text.find("encoding"), std::string::npos);
  EXPECT_EQ(parse_model(text, "m.yaml").columns, data.columns);
}

TEST_F(EncodedModel, RefusesAnEncodingItCannotTrust) {
  const std::string categories = R"(categories: ["c0", "c1", "c2"])";
  EXPECT_NE(refusal(replaced(categories, R"(categories: ["c1", "c0", "c2"])"))
                .find("categories must be sorted and unique"),
            std::string::npos);
  EXPECT_NE(refusal(replaced(categories, R"(categories: ["c0", "c0", "c2"])"))
                .find("categories must be sorted and unique"),
            std::string::npos);
  EXPECT_NE(refusal(replaced(categories, "categories: []")).find("needs categories"),
            std::string::npos);
  std::string many = "categories: [";
  for (int i = 0; i <= nn::kMaxCategories; ++i) many += fmt::format("{}c{}", i ? ", " : "", i);
  EXPECT_NE(refusal(replaced(categories, many + "]")).find("1001 categories, more than the cap"),
            std::string::npos);
  EXPECT_NE(refusal(replaced("missing: zeros", "missing: 3")).find("missing is 'zeros'"),
            std::string::npos);
  EXPECT_NE(refusal(replaced("type: onehot", "type: ordinal")).find("unknown encoding type"),
            std::string::npos);
  EXPECT_NE(
      refusal(replaced(R"({type: onehot, categories: ["c0", "c1", "c2"], missing: zeros})", "3"))
          .find("an encoding entry is a map"),
      std::string::npos);
  const std::string message =
      refusal(replaced("  encoding:\n", "  encoding:\n    - {type: number}\n"));
  EXPECT_NE(message.find("m.yaml:"), std::string::npos);
  EXPECT_NE(message.find("encoding needs one entry per input"), std::string::npos) << message;
  EXPECT_NE(refusal(replaced(categories, R"(categories: ["c0", "c1"])"))
                .find("standardization needs one mean and scale per network input"),
            std::string::npos);
}

}  // namespace
}  // namespace results
