// `nnsweep predict MODEL.yaml DATA.csv [--out FILE]`: runs a saved model (models/<id>.yaml) on
// the rows of a CSV file and writes the inputs with the predictions as CSV. The CSV must have
// the model's input columns (x1, x2 for built-in datasets; the training feature columns for csv
// ones, encoded as in training: text categories, missing cells), by name; other columns are
// ignored.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "nn/csv_data.h"
#include "nn/input_error.h"
#include "nn/input_file.h"
#include "nn/number.h"
#include "nn/predict.h"
#include "results/atomic_file.h"
#include "results/csv.h"
#include "results/model_file.h"
#include "runner/cli.h"
#include "runner/commands.h"

namespace runner {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

results::ModelFile read_model(const std::string& path) {
  return results::parse_model(nn::read_input_file(path, "model file"), path,
                              results::Weights::finite);
}

// Refuses an --out that is not a regular file to replace (a FIFO, a device such as /dev/null, a
// directory, a link) or that is one of the inputs: the predictions replace FILE, so it must be
// a file of its own.
void check_output_file(const fs::path& out, const std::vector<std::string>& inputs) {
  const fs::file_status status = fs::symlink_status(out);
  if (!fs::exists(status)) return;
  if (!fs::is_regular_file(status))
    throw nn::InputError(out.string(), 0, 0,
                         fs::is_symlink(status)
                             ? "--out is a symbolic link; predict replaces FILE and never writes "
                               "through a link: name the file itself"
                             : "--out is not a regular file (a directory, FIFO or device); predict "
                               "replaces FILE, so it must be a file, or - for standard output");
  for (const std::string& input : inputs) {
    std::error_code error;
    if (fs::equivalent(out, input, error))
      throw nn::InputError(out.string(), 0, 0,
                           "--out is " + input +
                               ", an input of this command; write the "
                               "predictions to another file");
  }
}

// The header of the predictions: the inputs, then what the task predicts.
std::vector<std::string> output_header(const results::ModelFile& model) {
  std::vector<std::string> header = model.inputs;
  switch (model.task) {
    case nn::Task::regression:
      header.emplace_back("prediction");
      break;
    case nn::Task::binary:
      header.push_back("probability_" + model.class_names.at(1));
      header.emplace_back("class");
      break;
    case nn::Task::multiclass:
      for (const auto& name : model.class_names) header.push_back("probability_" + name);
      header.emplace_back("class");
      break;
  }
  return header;
}

struct PredictArgs {
  std::string model, data, out;  // out: empty or "-" for standard output
};

// Parses the command line; nullopt after --help.
std::optional<PredictArgs> parse_predict_args(const Args& args) {
  PredictArgs parsed;
  po::options_description options(
      "usage: nnsweep predict MODEL.yaml DATA.csv [--out FILE]\n\n"
      "Writes the model's predictions for every row of DATA.csv as CSV (to stdout by default).\n"
      "DATA.csv needs the model's input columns by name: x1,x2 for a built-in dataset, the\n"
      "training feature columns for a csv one (raw values, text and empty cells as in\n"
      "training: the model encodes and standardises them).\n\n"
      "options");
  options.add_options()("help,h", "show this help")(
      "out,o", po::value(&parsed.out),
      "write the predictions to FILE (a regular file, replaced; - for standard output)");
  po::variables_map vm;
  if (!parse_command_line(args, options, {{"model", &parsed.model}, {"data", &parsed.data}}, vm))
    return std::nullopt;
  if (parsed.model.empty() || parsed.data.empty())
    throw po::error("a model and a CSV file are required: nnsweep predict MODEL.yaml DATA.csv");
  if (vm.count("out") && parsed.out.empty())
    throw po::error("--out needs a file name, or - for standard output");
  if (!parsed.out.empty() && parsed.out != "-")
    check_output_file(parsed.out, {parsed.model, parsed.data});
  return parsed;
}

// The model's input columns of `table`: which column of the table each is, and its cells as
// ModelFile::network_input takes them, (inputs, rows). A category the training split did not
// hold encodes as all zeros, which the model was never trained on: predict says so on stderr.
struct InputCells {
  std::vector<std::size_t> columns;
  Eigen::MatrixXd cells;
};

std::size_t column_of(const results::ModelFile& model, const std::string& name,
                      const nn::CsvTable& table) {
  const auto it = std::find(table.header.begin(), table.header.end(), name);
  if (it == table.header.end())
    throw nn::InputError(
        table.file, 1, 1,
        fmt::format("no column named {}: the model's inputs are {}", nn::quote_input(name),
                    nn::quote_input(fmt::format("{}", fmt::join(model.inputs, ", ")), 200)));
  return static_cast<std::size_t>(it - table.header.begin());
}

// One cell of input column `column`; counts the categories the model does not know.
double input_cell(const nn::ColumnEncoding& column, const nn::CsvField& field,
                  const std::string& path, std::size_t& unseen) {
  if (field.text.empty()) {
    if (column.fill_missing) return nn::kMissingCell;
    throw nn::InputError(path, field.line, field.column,
                         fmt::format("column {}: missing value; the model was trained without "
                                     "data.missing: mean, so it has nothing to fill in",
                                     nn::quote_input(column.name)));
  }
  if (column.kind == nn::ColumnKind::onehot) {
    const double index = nn::category_index(column, field.text);
    if (index == nn::kUnseenCategory && unseen++ == 0)
      std::cerr << fmt::format(
          "warning: {}:{}:{}: column {}: {} is not a category of the training split; it "
          "is encoded as all zeros\n",
          path, field.line, field.column, nn::quote_input(column.name),
          nn::quote_input(field.text));
    return index;
  }
  const auto value = nn::parse_number(field.text);
  if (!value || !std::isfinite(*value))
    throw nn::InputError(path, field.line, field.column,
                         fmt::format("column {}: {} is not a finite number",
                                     nn::quote_input(column.name), nn::quote_input(field.text)));
  return *value;
}

InputCells read_inputs(const results::ModelFile& model, const nn::CsvTable& table) {
  const auto n = static_cast<Eigen::Index>(table.rows.size());
  InputCells in{{}, Eigen::MatrixXd(static_cast<Eigen::Index>(model.inputs.size()), n)};
  std::size_t unseen = 0;
  for (std::size_t f = 0; f < model.inputs.size(); ++f) {
    const std::size_t column = column_of(model, model.inputs[f], table);
    in.columns.push_back(column);
    const nn::ColumnEncoding number{.name = model.inputs[f]};
    const nn::ColumnEncoding& encoding = model.builtin ? number : model.columns[f];
    for (Eigen::Index j = 0; j < n; ++j)
      in.cells(static_cast<Eigen::Index>(f), j) = input_cell(
          encoding, table.rows[static_cast<std::size_t>(j)].fields[column], table.file, unseen);
  }
  if (unseen > 1)
    std::cerr << fmt::format(
        "warning: {} cells of {} hold categories the training split did "
        "not; each is encoded as all zeros\n",
        unseen, table.file);
  return in;
}

// The CSV: per row, the inputs (numbers as read, text and empty cells as written), the outputs
// (`y`: (outputs, rows)) and the class they pick.
std::string format_predictions(const results::ModelFile& model, const nn::CsvTable& table,
                               const InputCells& in, const Eigen::MatrixXd& y) {
  std::string text = results::format_row(output_header(model));
  for (Eigen::Index j = 0; j < in.cells.cols(); ++j) {
    for (Eigen::Index f = 0; f < in.cells.rows(); ++f) {
      if (f > 0) text += ',';
      const bool number = model.builtin ||
                          model.columns[static_cast<std::size_t>(f)].kind == nn::ColumnKind::number;
      if (number && !std::isnan(in.cells(f, j)))
        results::append_number(text, in.cells(f, j));
      else
        results::append_field(text, table.rows[static_cast<std::size_t>(j)]
                                        .fields[in.columns[static_cast<std::size_t>(f)]]
                                        .text);
    }
    for (Eigen::Index o = 0; o < y.rows(); ++o) {
      text += ',';
      results::append_number(text, y(o, j));
    }
    if (model.task == nn::Task::binary) {
      text += ',';
      results::append_field(text, model.class_names.at(y(0, j) > 0.5 ? 1 : 0));
    } else if (model.task == nn::Task::multiclass) {
      Eigen::Index best = 0;
      y.col(j).maxCoeff(&best);
      text += ',';
      results::append_field(text, model.class_names.at(static_cast<std::size_t>(best)));
    }
    text += '\n';
  }
  return text;
}

}  // namespace

int predict_command(const Args& args) {
  const std::optional<PredictArgs> parsed = parse_predict_args(args);
  if (!parsed) return kExitOk;
  const results::ModelFile model = read_model(parsed->model);
  const nn::CsvTable table = nn::read_csv_table(parsed->data);
  const InputCells in = read_inputs(model, table);
  const Eigen::MatrixXd y =
      nn::predict(model.mlp(), model.parameters, model.network_input(in.cells));
  const std::string text = format_predictions(model, table, in, y);
  if (parsed->out.empty() || parsed->out == "-") {
    std::cout << text << std::flush;
    if (!std::cout) throw std::runtime_error("cannot write the predictions to standard output");
  } else {
    const fs::path out(parsed->out);
    results::replace_file(out.parent_path(), out.filename().string(), text);
  }
  return kExitOk;
}

}  // namespace runner
