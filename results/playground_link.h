// A link that opens TensorFlow Playground with a trial's settings: its dataset, noise, split,
// features, network, activation, learning rate, batch size and regularisation, written in the
// page's URL hash. Playground then trains a network of its own (its initial weights, its seed,
// its data points): the link carries the same settings, never the same run. Settings that
// only change how a run is judged or how long it lasts (convergence.*, train.epochs) and its
// random start (model.init, train.shuffle) are not Playground settings and are left out.
// A configuration Playground cannot express (its datasets, activations, features,
// regularisation, batch sizes, plain gradient descent, at most 6 hidden layers of at most 8
// units) gets no link but the reason. What Playground does its own way (its number of points,
// its squared-error loss, no validation split) does not stop the link; it is listed beside it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace results {

struct PlaygroundLink {
  std::string url;     // https://playground.tensorflow.org/#..., or empty
  std::string reason;  // when url is empty: why Playground cannot express the settings
  std::vector<std::string> differences;  // with a url: what Playground will do otherwise
  bool ok() const { return !url.empty(); }
};

// `settings`: a trial's key/value pairs as trials.csv writes them ("model.hidden" = "8-8",
// "data.features" = "x1 x2 x1^2"). A missing key or an empty value (a setting that does not
// apply) means nnsweep's default.
PlaygroundLink playground_link(const std::vector<std::pair<std::string, std::string>>& settings);

}  // namespace results
