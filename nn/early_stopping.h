// Early stopping (train.early_stopping), the rule of Keras' EarlyStopping and scikit-learn's
// n_iter_no_change: a training stops once its selection loss (validation when the data has a
// validation split, else training: the loss the best epoch is chosen by) has gone `patience`
// epochs in a row without falling more than min_delta below the best value so far. Epoch 0, the
// untrained network, sets the first best, so a training that never improves stops at epoch
// `patience`. The stop depends on the curve up to it only: a longer budget stops at the same
// epoch, a shorter one that ends first is not stopped.
#pragma once

#include <limits>

#include "nn/config.h"

namespace nn {

class EarlyStopping {
 public:
  EarlyStopping() = default;  // off
  explicit EarlyStopping(const TrainConfig& c)
      : patience_(c.early_stopping_patience), min_delta_(c.early_stopping_min_delta) {}

  bool enabled() const { return patience_ > 0; }
  // Feeds the selection loss after each epoch, from epoch 0 on; true when training stops after
  // this epoch. A NaN never improves.
  bool stop_after(double loss) {
    if (loss < best_ - min_delta_) {
      best_ = loss;
      wait_ = 0;
    } else {
      ++wait_;
    }
    return enabled() && wait_ >= patience_;
  }

 private:
  int patience_ = 0;
  double min_delta_ = 0;
  double best_ = std::numeric_limits<double>::infinity();
  int wait_ = 0;
};

}  // namespace nn
