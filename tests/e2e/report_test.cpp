// End-to-end: report.html, saved models, `nnsweep predict` and terminal colour.
#include <fmt/format.h>

#include "e2e.h"

namespace e2e {
namespace {

// 2 learning rates x 2 activations x 2 epoch counts = 8 trials.
const char* kSweep = R"(name: pictures
seed: 3
data: { dataset: xor, points: 100, features: [x1, x2, x1*x2] }
model: { hidden: [4] }
grid:
  train.learning_rate: [0.03, 0.3]
  model.activation: [tanh, relu]
  train.epochs: [10, 20]
)";

class Pictures : public Scratch {
 protected:
  // Runs a shell command in the scratch directory; stdout and stderr as nnsweep() gives them.
  Output shell(const std::string& command) {
    const fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
    const std::string line = "cd '" + dir_.string() + "' && " + command + " >'" + out.string() +
                             "' 2>'" + err.string() + "'";
    const int status = std::system(line.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(out), read(err)};
  }
  std::size_t count_models(const std::string& out) {
    if (!fs::exists(dir_ / out / "models")) return 0;
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir_ / out / "models"), fs::directory_iterator{}));
  }
};

TEST_F(Pictures, RunWritesTheReportAndTheBestModel) {
  write("s.yaml", kSweep);
  const Output run = nnsweep("run s.yaml --out out --threads 2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = read(dir_ / "out/report.html");
  for (const char* id : {"id=\"status-bar\"", "id=\"curves-0\"", "id=\"curves-1\"",
                         "id=\"heatmap-svg\"", "id=\"boundary-0\"", "data:image/png;base64,"})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_EQ(count_models("out"), 1u);
}

// A run's page draws the loss curves from the rows it wrote, `report` from curves.csv: the
// pages are the same, at one thread and at two (curves and boundaries made side by side), with
// every epoch kept and with every third. NNSWEEP_PHASES says where the run's time went.
TEST_F(Pictures, TheRunsPageIsTheOneReportDrawsFromTheFiles) {
  write("s.yaml", kSweep);
  for (const char* options : {"-t 1", "-t 2", "-t 2 curves.every=3"}) {
    SCOPED_TRACE(options);
    fs::remove_all(dir_ / "out");
    const Output run = shell(
        fmt::format("NNSWEEP_PHASES=1 '{}' run s.yaml -q --out out {}", NNSWEEP_BINARY, options));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("phases: setup_ms="), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(" groups="), std::string::npos) << run.err;
    const std::string page = read(dir_ / "out/report.html");
    ASSERT_NE(page.find("id=\"curves-0\""), std::string::npos);
    ASSERT_EQ(nnsweep("report out").exit_code, 0);
    EXPECT_EQ(read(dir_ / "out/report.html"), page);
  }
  // Without the variable, nothing is said.
  fs::remove_all(dir_ / "out");
  EXPECT_EQ(nnsweep("run s.yaml -q --out out").err, "");
}

// With `curves: off` there is nothing to draw: the page says so (no empty panels) and still
// has its table and decision boundary.
TEST_F(Pictures, ImportanceInTheFilesThePageAndTheTerminal) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  const std::string csv = read(dir_ / "out/importance.csv");
  for (const char* term : {",train.learning_rate,main,", ",model.activation,main,",
                           ",train.epochs,main,", ",residual,residual,"})
    EXPECT_NE(csv.find(term), std::string::npos) << term << "\n" << csv;
  const std::string page = read(dir_ / "out/report.html");
  EXPECT_NE(page.find("<h2>What matters</h2>"), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"parallel coordinates\""), std::string::npos);

  const Output r = nnsweep("report out --importance final_test_loss");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("importance of final_test_loss"), std::string::npos) << r.out;

  // A metric that is not a column: exit 2, the choices listed, nothing rewritten.
  const std::string before = read(dir_ / "out/report.html");
  const Output bad = nnsweep("report out --importance accuracy");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("'accuracy' is not a metric"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("final_test_accuracy"), std::string::npos) << bad.err;
  EXPECT_EQ(read(dir_ / "out/report.html"), before);
  // Shown as every message shows input: no control byte reaches the terminal.
  const Output escaped = nnsweep("report out --importance \"$(printf 'loss\\033[31m')\"");
  EXPECT_EQ(escaped.exit_code, 2);
  EXPECT_NE(escaped.err.find("'loss\\x1b[31m' is not a metric"), std::string::npos) << escaped.err;
  EXPECT_EQ(escaped.err.find('\x1b'), std::string::npos);

  write("one.yaml", "name: one\ndata: { dataset: xor, points: 60 }\ntrain: { epochs: 3 }\n");
  ASSERT_EQ(nnsweep("run one.yaml -q --out one").exit_code, 0);
  const Output one = nnsweep("report one --importance");
  EXPECT_EQ(one.exit_code, 2);
  EXPECT_NE(one.err.find("no setting varies"), std::string::npos) << one.err;
}

TEST_F(Pictures, ASweepWithoutCurvesSaysSoAndKeepsItsBoundary) {
  write("s.yaml", std::string(kSweep) + "curves: off\n");
  const Output run = nnsweep("run s.yaml --out out --threads 1");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = read(dir_ / "out/report.html");
  EXPECT_NE(html.find("No loss curves to draw"), std::string::npos);
  EXPECT_EQ(html.find("id=\"curves-0\""), std::string::npos);
  EXPECT_NE(html.find("id=\"heatmap-svg\""), std::string::npos);
  EXPECT_NE(html.find("id=\"boundary-0\""), std::string::npos);
  // As docs/output-files.md says: no curves.csv at all, not one with a header only, and
  // `report` and `--resume` do without it.
  EXPECT_FALSE(fs::exists(dir_ / "out/curves.csv"));
  EXPECT_EQ(nnsweep("report out").exit_code, 0);
  EXPECT_EQ(nnsweep("run s.yaml --out out --threads 1 --resume").exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_ / "out/curves.csv"));
}

TEST_F(Pictures, ReportOfARunFromBeforeOutcomesSaysSoAndWritesNothing) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  std::string manifest = read(dir_ / "out/manifest.yaml");
  manifest.erase(0, manifest.find('\n') + 1);  // output_format is the first key
  write("out/manifest.yaml", manifest);
  const std::string table = read(dir_ / "out/convergence.md");
  const Output r = nnsweep("report out");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("out: error: this run predates outcomes"), std::string::npos) << r.err;
  EXPECT_EQ(read(dir_ / "out/convergence.md"), table);
}

TEST_F(Pictures, SaveModelsNoneAndAll) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml --out none --save-models none").exit_code, 0);
  EXPECT_EQ(count_models("none"), 0u);
  ASSERT_EQ(nnsweep("run s.yaml --out all --save-models all").exit_code, 0);
  EXPECT_EQ(count_models("all"), 8u);
  EXPECT_EQ(nnsweep("run s.yaml --out bad --save-models some").exit_code, 2);
}

TEST_F(Pictures, PredictWritesTheSavedModelsPredictions) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml --out out").exit_code, 0);
  const fs::path model = fs::directory_iterator(dir_ / "out/models")->path();
  write("points.csv", "label,x2,x1\na,1,2\nb,-3,0.5\nc,0,0\n");
  const Output predict =
      nnsweep(fmt::format("predict '{}' points.csv --out predictions.csv", model.string()));
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const std::string csv = read(dir_ / "predictions.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "x1,x2,probability_1,class");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_EQ(csv.substr(csv.find('\n') + 1, 4), "2,1,");
  // The same on stdout; a missing column is bad input.
  EXPECT_EQ(nnsweep(fmt::format("predict '{}' points.csv", model.string())).out, csv);
  write("bad.csv", "x1,y\n1,2\n");
  const Output bad = nnsweep(fmt::format("predict '{}' bad.csv", model.string()));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("no column named 'x2'"), std::string::npos) << bad.err;
}

// A model file is input like any other: what predict cannot trust is refused with exit 2 and
// the position, never turned into a ragged CSV, class 0 or an exception's text.
TEST_F(Pictures, PredictRefusesAModelFileItCannotTrust) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml --out out").exit_code, 0);
  const std::string model = read(fs::directory_iterator(dir_ / "out/models")->path());
  write("points.csv", "x1,x2\n1,2\n");
  const auto refusal = [&](const std::string& from, const std::string& to) {
    std::string text = model;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    write("m.yaml", text);
    const Output o = nnsweep("predict m.yaml points.csv");
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_EQ(o.out, "");
    return o.err;
  };
  // The sweep's network: inputs x1, x2, x1*x2; hidden [4]; one output.
  EXPECT_NE(refusal("widths: [3, 4, 1]", "widths: [3, 4, 3]")
                .find("error: model file: a binary network has 1 output, this one 3"),
            std::string::npos);
  const auto biases = model.rfind("biases: [");
  const std::string bias = model.substr(biases, model.find(']', biases) - biases + 1);
  EXPECT_NE(refusal(bias, "biases: [.nan]").find("biases: '.nan' is not a finite number"),
            std::string::npos);
  EXPECT_NE(refusal("classes: [\"0\", \"1\"]", "classes: [\"0\"]")
                .find("a binary network needs 2 classes, got 1"),
            std::string::npos);
  EXPECT_NE(refusal("widths: [3, 4, 1]", "widths: [3, 30000, 30000, 1]")
                .find("a width of 30000 is more than the cap of 4096"),
            std::string::npos);
  EXPECT_EQ(nnsweep("predict /dev/zero points.csv").err,
            "/dev/zero: error: the model file is a character device, not a regular file\n");
}

TEST_F(Pictures, PredictOnACsvModelStandardisesTheRawColumns) {
  const std::string iris = NNSWEEP_SOURCE_DIR "/sweeps/examples/data/iris.csv";
  write("iris.yaml", fmt::format(R"(name: iris
seed: 1
data: {{ dataset: csv, path: {}, target: species, validation_fraction: 0.2 }}
model: {{ hidden: [6] }}
train: {{ epochs: 30, learning_rate: 0.1 }}
grid: {{ model.activation: [tanh, relu] }}
)",
                                 iris));
  ASSERT_EQ(nnsweep("run iris.yaml --out out").exit_code, 0);
  const fs::path model = fs::directory_iterator(dir_ / "out/models")->path();
  const Output predict = nnsweep(fmt::format("predict '{}' '{}'", model.string(), iris));
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_EQ(predict.out.substr(0, predict.out.find('\n')),
            "sepal_length,sepal_width,petal_length,petal_width,probability_setosa,"
            "probability_versicolor,probability_virginica,class");
  EXPECT_EQ(std::count(predict.out.begin(), predict.out.end(), '\n'), 151);
  // A trained iris model gets most flowers right.
  EXPECT_GT(std::count(predict.out.begin(), predict.out.end(), 's'), 40);
}

TEST_F(Pictures, ReportCommandRebuildsTheReportWithItsBoundaries) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml --out out --save-models none").exit_code, 0);
  // The run draws the boundary from the parameters it trained; report trains that trial again.
  const std::string drawn_by_run = read(dir_ / "out/report.html");
  fs::remove(dir_ / "out/report.html");
  ASSERT_EQ(nnsweep("report out").exit_code, 0);
  const std::string html = read(dir_ / "out/report.html");
  EXPECT_NE(html.find("id=\"boundary-0\""), std::string::npos);
  EXPECT_EQ(html, drawn_by_run);
  EXPECT_EQ(count_models("out"), 0u);  // report writes no models
}

// The best model holds the weights of its best epoch, says so, and is the trial the best
// configurations table names.
TEST_F(Pictures, TheBestModelIsTheRankedTrialAtItsBestEpoch) {
  write("s.yaml", R"(name: pictures
seed: 3
repeats: 2
data: { dataset: xor, points: 100, features: [x1, x2, x1*x2], validation_fraction: 0.3 }
model: { hidden: [4] }
train: { epochs: 40 }
grid:
  train.learning_rate: [0.03, 0.3]
  model.activation: [tanh, relu]
)");
  const Output run = nnsweep("run s.yaml --out out --save-models best");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(count_models("out"), 1u);
  const std::string named = "use 1.'s best repeat: trial ";
  const std::size_t at = run.out.find(named);
  ASSERT_NE(at, std::string::npos) << run.out;
  const std::string id = run.out.substr(at + named.size(), 16);
  const std::string model = read(dir_ / "out/models" / (id + ".yaml"));
  ASSERT_FALSE(model.empty()) << id;
  EXPECT_NE(model.find("weights_from: lowest_val_loss"), std::string::npos) << model;
  // The epoch it names is that trial's best_epoch in trials.csv.
  std::istringstream trials(read(dir_ / "out/trials.csv"));
  results::CsvReader reader(trials, "trials.csv");
  results::CsvRecord header, row;
  ASSERT_TRUE(reader.next(header));
  const auto column = [&](const std::string& name) {
    std::size_t c = 0;
    while (c < header.size() && header[c] != name) ++c;
    return c;
  };
  std::string best_epoch;
  while (reader.next(row))
    if (row[column("trial_id")] == id) best_epoch = row[column("best_epoch")];
  ASSERT_FALSE(best_epoch.empty());
  EXPECT_NE(model.find("weights_epoch: " + best_epoch + "\n"), std::string::npos)
      << best_epoch << "\n"
      << model;
  EXPECT_NE(read(dir_ / "out/report.html").find("trial " + id + " after epoch " + best_epoch),
            std::string::npos);
}

TEST_F(Pictures, ReportSetJudgesTheRunAgainWithoutTraining) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml --out out").exit_code, 0);
  const std::string trials = read(dir_ / "out/trials.csv");
  ASSERT_NE(trials.find(",learned,"), std::string::npos) << trials;

  // The defaults again: every row as it was, byte for byte.
  Output same = nnsweep("report out --set convergence.learned_below=0.5");
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_NE(same.out.find("judged 8 trials again with convergence.learned_below=0.5: 0 outcomes "
                          "changed"),
            std::string::npos)
      << same.out;
  EXPECT_EQ(read(dir_ / "out/trials.csv"), trials);

  // A bar no trial clears: nothing learned, and the manifest keeps the setting for later.
  Output strict = nnsweep("report out --set convergence.learned_below=0.001");
  ASSERT_EQ(strict.exit_code, 0) << strict.err;
  EXPECT_EQ(read(dir_ / "out/trials.csv").find(",learned,"), std::string::npos);
  EXPECT_NE(read(dir_ / "out/manifest.yaml")
                .find("judged_with: [\"convergence.learned_below=0.001\"]\nspec_hash:"),
            std::string::npos)
      << read(dir_ / "out/manifest.yaml");
  EXPECT_EQ(read(dir_ / "out/convergence.md").find("learned 100%"), std::string::npos);
  ASSERT_EQ(nnsweep("report out").exit_code, 0);
  EXPECT_EQ(read(dir_ / "out/trials.csv").find(",learned,"), std::string::npos);

  // And back.
  ASSERT_EQ(nnsweep("report out --set convergence.learned_below=0.5").exit_code, 0);
  EXPECT_EQ(read(dir_ / "out/trials.csv"), trials);
}

TEST_F(Pictures, ReportSetRefusesWhatItCannotJudgeAndLeavesTheRunAsItWas) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml --out out").exit_code, 0);
  const std::string trials = read(dir_ / "out/trials.csv");
  const std::string manifest = read(dir_ / "out/manifest.yaml");
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"train.epochs=5", "train.epochs is a training setting"},
      {"convergence.window=0.9", "convergence.window must be in"},
      {"convergence.target_metric=f1", "convergence.target_metric"},
      {"convergence.nope=1", "unknown setting 'convergence.nope'"},
      {"convergence.window", "expected SETTING=VALUE"},
      {"=3", "expected SETTING=VALUE"}};
  for (const auto& [set, message] : refused) {
    const Output r = nnsweep("report out --set " + set);
    EXPECT_EQ(r.exit_code, 2) << set;
    EXPECT_EQ(r.err.rfind("--set: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_EQ(read(dir_ / "out/trials.csv"), trials) << set;
    EXPECT_EQ(read(dir_ / "out/manifest.yaml"), manifest) << set;
  }
  // Curves of every other epoch cannot be judged again.
  write("k.yaml", std::string(kSweep) + "curves: { every: 2 }\n");
  ASSERT_EQ(nnsweep("run k.yaml --out thin").exit_code, 0);
  const std::string thin = read(dir_ / "thin/trials.csv");
  const Output r = nnsweep("report thin --set convergence.learned_below=0.3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs them all"), std::string::npos) << r.err;
  EXPECT_EQ(read(dir_ / "thin/trials.csv"), thin);
}

// Judging again reads the curves, not the data: a CSV run whose file has gone is judged again,
// and the checks that couple convergence settings with the data read the rows instead.
TEST_F(Pictures, ReportSetNeedsNoDataFileAndChecksSettingsAgainstTheRows) {
  std::string csv = "x,y\n";
  for (int i = 0; i < 40; ++i) csv += fmt::format("{},{}\n", i * 0.1, i * 0.2 + 1);
  write("data.csv", csv);
  write("r.yaml", R"(name: r
data: { dataset: csv, path: data.csv, target: y }
model: { hidden: [3] }
train: { epochs: 15 }
grid: { train.learning_rate: [0.01, 0.1] }
)");
  ASSERT_EQ(nnsweep("run r.yaml --out out").exit_code, 0);
  fs::remove(dir_ / "data.csv");
  const Output again = nnsweep("report out --set convergence.learned_below=0.4");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  const Output accuracy = nnsweep("report out --set convergence.target_metric=accuracy");
  EXPECT_EQ(accuracy.exit_code, 2);
  EXPECT_NE(accuracy.err.find("needs classification, and this run has regression trials"),
            std::string::npos)
      << accuracy.err;
  const Output monitor = nnsweep("report out --set convergence.monitor=val_loss");
  EXPECT_EQ(monitor.exit_code, 2);
  EXPECT_NE(monitor.err.find("needs a validation split"), std::string::npos) << monitor.err;
}

TEST_F(Pictures, AResumedRunJudgesItsNewRowsAsTheRunWasJudgedAgain) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml --out out").exit_code, 0);
  ASSERT_EQ(nnsweep("report out --set convergence.learned_below=0.001").exit_code, 0);
  // Keep the header and three rows: the resume trains the other five.
  std::string trials = read(dir_ / "out/trials.csv");
  write("out/trials.csv", trials.substr(0, first_lines(trials, 4)));
  const Output resumed = nnsweep("run s.yaml --out out --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read(dir_ / "out/trials.csv").find(",learned,"), std::string::npos);
  EXPECT_NE(read(dir_ / "out/manifest.yaml").find("judged_with:"), std::string::npos);
}

// A pseudo-terminal (util-linux `script`) makes stdout a tty: colour unless NO_COLOR is set.
TEST_F(Pictures, TableIsColouredOnATerminalUnlessNoColor) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "no script(1)";
  write("s.yaml", kSweep);
  const Output coloured =
      shell(fmt::format("script -qec \"'{}' run s.yaml --out a\" /dev/null", NNSWEEP_BINARY));
  ASSERT_EQ(coloured.exit_code, 0) << coloured.err;
  EXPECT_NE(coloured.out.find("\033[32m"), std::string::npos);  // green: converged
  const Output plain = shell(
      fmt::format("script -qec \"NO_COLOR=1 '{}' run s.yaml --out b\" /dev/null", NNSWEEP_BINARY));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("model.activation"), std::string::npos);
  // Colours only: the progress line (stderr, a terminal here too) may still erase itself.
  EXPECT_EQ(plain.out.find("\033[3"), std::string::npos);
  EXPECT_EQ(plain.out.find("\033[0m"), std::string::npos);
  const Output piped = nnsweep("run s.yaml --out c");
  EXPECT_EQ(piped.out.find("\033["), std::string::npos);
}

}  // namespace
}  // namespace e2e
