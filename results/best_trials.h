// The best trial of each data configuration (all data.* settings), by each selection loss: the
// trials report.html draws decision boundaries for and `--save-models best` keeps. Fed rows in
// any order, it keeps a few words per data configuration, plus, during a run, the trained
// parameters of the current best trials (so the end of a run need not train them again).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nn/dataset.h"
#include "results/column_roles.h"
#include "results/model_file.h"
#include "results/summary.h"
#include "results/trial_record.h"

namespace results {

// Parameters at chosen epochs of a training, epoch first, in increasing epoch order.
using Snapshots = std::vector<std::pair<int, std::vector<double>>>;

// What a run kept of a trial's training: its flat parameter vector (nn/mlp.h) after its last
// epoch and, for a built-in dataset, after a few earlier ones (epoch 0, 10% and 50% of its
// budget), from which the page draws the boundary as it formed.
// With them, when the run no longer keeps its CSV file's parse, the dataset it trained on: its
// model, or its weights at an earlier epoch, are made from it without reading the file again.
struct KeptWeights {
  std::shared_ptr<const std::vector<double>> parameters;
  std::shared_ptr<const Snapshots> snapshots;
  std::shared_ptr<const nn::Dataset> data;
};

// A trial's kept weights and its status, by trial id: models at hand that need not be trained
// again.
struct TrainedModel {
  Outcome outcome = Outcome::underfit;
  std::shared_ptr<const std::vector<double>> parameters;
  std::shared_ptr<const Snapshots> snapshots;
  std::shared_ptr<const nn::Dataset> data;
};
using TrainedModels = std::unordered_map<std::string, TrainedModel>;

// The trial that stands for a data configuration (all data.* settings): the best repeat of the
// configuration ranked first among those on that data. report.html draws its decision boundary
// and `--save-models best` keeps it, with the weights of its best epoch.
struct ChosenTrial {
  std::string dataset;
  Representative trial;
  WeightsFrom from = WeightsFrom::lowest_val_loss;
};

class BestTrials {
 public:
  // `columns` groups the trials by their data settings.
  explicit BestTrials(ColumnRoles columns) : columns_(std::move(columns)) {}

  struct Candidate {
    double score = 0, epochs = 0;  // selection loss (inf when not finite), epochs to target
    std::uint64_t index = 0;
    std::string id;
    double accuracy = 0, loss = 0;  // the final test accuracy and loss, for captions
    TrainedModel model;             // its weights when given to add()
    // Lower loss first, then fewer epochs to target, then the lower trial index.
    bool operator<(const Candidate& other) const;
  };
  struct Best {
    std::string dataset;
    const Candidate* candidate = nullptr;  // nullptr: no finite selection loss in this group
  };

  // Error rows are ignored.
  void add(const TrialRecord& record, KeptWeights kept = {});

  // The best trial of each data configuration in first-seen order, by its best validation loss
  // when any trial had one, else by its best training loss (never by test loss).
  std::vector<Best> best() const;

  // The parameters given to add() of the trials best() returns.
  TrainedModels models() const;

 private:
  struct Group {
    std::optional<Candidate> by_val, by_train;
    std::string dataset;
  };
  ColumnRoles columns_;
  bool has_val_ = false;
  std::map<std::string, Group> groups_;  // by the data settings' values
  std::vector<const std::string*> order_;
};

}  // namespace results
