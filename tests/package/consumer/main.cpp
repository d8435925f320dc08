// Trains one small network on the built-in circle dataset through the installed nnsweep::nn and
// prints its outcome and test accuracy, which tests/package/check_package.sh checks.
#include <cstdio>

#include "nn/dataset.h"
#include "nn/train.h"

int main() {
  nn::TrialConfig config;
  config.data.dataset = nn::DatasetKind::circle;
  config.data.points = 200;
  config.model.hidden = {8};
  config.train.epochs = 200;
  const nn::Dataset data = nn::make_dataset(config.data, 1);
  const nn::TrainResult result = nn::train(config, data, 2);
  std::printf("outcome %s, test accuracy %.2f\n",
              std::string(nn::to_string(result.verdict.outcome)).c_str(),
              result.final.test_accuracy);
  return result.final.test_accuracy > 0.8 ? 0 : 1;
}
