// libFuzzer target: arbitrary bytes as a saved model file (models/<id>.yaml), read as predict
// reads it (finite weights only), and what parses builds its network and standardises a few
// rows. Either works or throws nn::InputError; any other exception, crash, leak, hang or huge
// allocation is a bug: the reader checks the shapes against the caps before it allocates. The
// forward pass itself is left out: it is nn/'s, tested there, and not the reader's.
#include <cstddef>
#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "nn/input_error.h"
#include "nn/mlp.h"
#include "results/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const results::ModelFile model =
        results::parse_model(text, "model.yaml", results::Weights::finite);
    const Eigen::MatrixXd raw =
        Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(model.inputs.size()), 3, 0.5);
    const nn::Mlp mlp = model.mlp();
    if (mlp.parameter_count() != static_cast<Eigen::Index>(model.parameters.size()))
      __builtin_trap();
    const Eigen::MatrixXd x = model.network_input(raw);
    if (x.rows() != mlp.width(0)) __builtin_trap();
  } catch (const nn::InputError&) {
    // A rejection with a message: the expected outcome for most inputs.
  }
  return 0;
}
