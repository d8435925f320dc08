#include "results/report_html.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <cstdint>
#include <regex>
#include <vector>

namespace results {
namespace {

TrialRecord record(const std::string& row, const std::string& col, const std::string& outcome) {
  TrialRecord r;
  r.id = "0123456789abcdef";
  r.params = {{"train.learning_rate", row}, {"model.activation", col}};
  r.outcome = *parse_outcome(outcome);
  r.epochs_run = 10;
  if (outcome == "learned") r.epochs_to_target = 4;
  return r;
}

// Any coordinate or length attribute whose value holds something that is not a number.
bool has_non_finite_coordinate(const std::string& html) {
  static const std::regex attribute(
      R"re(\s(x|y|x1|x2|y1|y2|cx|cy|r|d|width|height|transform|viewBox)="[^"]*(nan|inf)[^"]*")re",
      std::regex::icase);
  return std::regex_search(html, attribute);
}

// A 2 x 2 boundary with a 3-2 network's neurons, two frames and a Playground link.
Boundary boundary_with_extras() {
  Boundary b;
  b.title = "xor";
  b.resolution = 2;
  b.values = {0.1, 0.9, 0.9, 0.1};
  const Grid tile{2, {-1, 0, 0.5, 1}};
  b.neurons = {{tile, tile, tile}, {tile, tile}};
  b.frames = {{0, {2, {0.5, 0.5, 0.5, 0.5}}}, {40, {2, {0.2, 0.8, 0.8, 0.2}}}};
  b.playground_url = "https://playground.tensorflow.org/#activation=tanh&dataset=xor";
  return b;
}

std::string base64_decode(const std::string& text) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    bits = (bits << 6) | static_cast<std::uint32_t>(alphabet.find(c));
    if ((count += 6) >= 8) out += static_cast<char>((bits >> (count -= 8)) & 0xff);
  }
  return out;
}

TEST(ReportHtml, EscapesEveryName) {
  ReportData data;
  data.sweep_name = "<script>alert('x')</script>";
  data.pivot.rows = "train.learning_rate";
  data.pivot.cols = "model.activation";
  ConvergenceTable table(data.pivot, {"train.learning_rate", "model.activation"});
  table.add(record("<b>0.1</b>", "a&b\"c'", "learned"));
  TrialRecord stalled = record("<b>1</b>", "x", "stalled");
  stalled.outcome_reason = "<img src=x onerror=y>";
  table.add(stalled);
  data.table = &table;
  CurvePanel panel{"<i>", {}};
  CurveLine line;
  line.label = "<u>";
  line.train = line.test = {{0, 1, 0.5, 2}, {5, 0.5, 0.2, 0.9}};
  panel.lines.push_back(line);
  data.panels.push_back(panel);
  data.best.push_back({{{"model.activation", "</td><td>"}}, 0.1, 4, 0.9, 1, 1});
  data.notes.push_back("<note>");
  Boundary b;
  b.title = "<svg onload=x>";
  b.caption = "&amp;";
  data.boundaries.push_back(b);
  const std::string html = report_html(data);
  for (const char* raw : {"<script>", "<b>0.1", "<b>1", "a&b", "<i>", "<u>", "<td onclick",
                          "<note>", "<svg onload", "<img"})
    EXPECT_EQ(html.find(raw), std::string::npos) << raw;
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b&quot;c&#39;"), std::string::npos);
  EXPECT_NE(html.find("&amp;amp;"), std::string::npos);  // escaped once, as given
}

TEST(ReportHtml, CellsThatDidNotLearnAreListedWithTheirReasonAndInTheTooltip) {
  ReportData data;
  ConvergenceTable table(data.pivot, {"train.learning_rate", "model.activation"});
  table.add(record("0.1", "tanh", "learned"));
  TrialRecord diverged = record("10", "tanh", "diverged");
  diverged.outcome_reason = "the loss became NaN at epoch 2: the learning rate is too large";
  table.add(diverged);
  data.table = &table;
  const std::string html = report_html(data);
  EXPECT_NE(html.find("Cells that did not learn, and why"), std::string::npos);
  EXPECT_NE(html.find("<li><b>train.learning_rate=10, model.activation=tanh</b>: <span "
                      "class=\"diverged\">diverged</span>: the loss became NaN at epoch 2"),
            std::string::npos);
  EXPECT_NE(html.find("<title>1 trials: 1 diverged\nthe loss became NaN"), std::string::npos);
  EXPECT_EQ(html.find("model.activation=tanh</b>: <span class=\"learned\""), std::string::npos);
}

TEST(ReportHtml, EscapeHtmlReplacesTheFiveSpecialCharacters) {
  EXPECT_EQ(escape_html("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(escape_html("plain"), "plain");
}

TEST(ReportHtml, EmptySweepGivesACompletePageThatSaysSo) {
  const std::string html = report_html(ReportData{});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>\n"), std::string::npos);
  EXPECT_NE(html.find("No trials yet"), std::string::npos);
  EXPECT_NE(html.find("No loss curves"), std::string::npos);
  EXPECT_FALSE(has_non_finite_coordinate(html));
}

TEST(ReportHtml, AllDivergedSweepMarksEveryCellAndCutsEveryLine) {
  ReportData data;
  ConvergenceTable table(data.pivot, {"train.learning_rate", "model.activation"});
  for (const char* lr : {"3", "10"})
    for (const char* act : {"relu", "tanh"}) table.add(record(lr, act, "diverged"));
  data.table = &table;
  data.counts.n[static_cast<std::size_t>(Outcome::diverged)] = 4;
  CurvePanel panel{"3", {}};
  CurveLine line;
  line.label = "relu";
  line.train = line.test = {{0, 0.7, 0.7, 0.7}, {1, 40, 40, 40}};
  line.cut = true;
  line.trials = line.diverged = 1;
  panel.lines.push_back(line);
  data.panels.push_back(panel);
  const std::string html = report_html(data);
  std::size_t diverged_cells = 0;
  for (auto at = html.find("class=\"cell diverged\""); at != std::string::npos;
       at = html.find("class=\"cell diverged\"", at + 1))
    ++diverged_cells;
  EXPECT_EQ(diverged_cells, 4u);
  EXPECT_EQ(html.find("class=\"cell learned\""), std::string::npos);
  EXPECT_NE(html.find("class=\"cut\""), std::string::npos);
  EXPECT_NE(html.find("No configuration has a finite loss"), std::string::npos);
  EXPECT_FALSE(has_non_finite_coordinate(html));
}

TEST(ReportHtml, NonFiniteValuesNeverReachCoordinates) {
  const double nan = std::nan(""), inf = INFINITY;
  ReportData data;
  CurvePanel panel{"0.1", {}};
  CurveLine line;
  line.label = "tanh";
  line.train = {{0, nan, inf, -inf}, {inf, 1, 0, inf}, {2, 0, -1, 1e308}, {3, 1e-300, 1e-300, 1}};
  line.test = line.train;
  line.cut = true;
  panel.lines.push_back(line);
  data.panels.push_back(panel);
  data.best.push_back({{}, inf, nan, nan, 0, 1});
  Boundary b;
  b.resolution = 2;
  b.values = {nan, inf, -inf, 0.5};
  b.points = {{nan, 0, 1, false}, {0, inf, 0, true}, {1, 1, nan, true}};
  data.boundaries.push_back(b);
  const std::string html = report_html(data);
  EXPECT_FALSE(has_non_finite_coordinate(html));
}

// The points of SVG path data as the page writes it: "M x,y", then steps relative to the point
// before ("l dx,dy dx,dy ..."), then an optional "Z".
std::vector<std::pair<double, double>> path_points(const std::string& d) {
  static const std::regex number(R"(-?(\d+(\.\d*)?|\.\d+))");
  std::vector<double> values;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), number); it != std::sregex_iterator();
       ++it)
    values.push_back(std::stod(it->str()));
  std::vector<std::pair<double, double>> points;
  for (std::size_t i = 0; i + 1 < values.size(); i += 2)
    points.emplace_back(points.empty() ? values[i] : points.back().first + values[i],
                        points.empty() ? values[i + 1] : points.back().second + values[i + 1]);
  return points;
}

std::string path_of(const std::string& html, const std::string& cls) {
  std::smatch m;
  const std::regex path("class=\"" + cls + "\" (fill|stroke)=\"[^\"]*\" d=\"([^\"]*)\"");
  return std::regex_search(html, m, path) ? m[2].str() : "";
}

TEST(ReportHtml, CurvesKeepThePointsThatShapeThemAndLeaveOutTheRest) {
  ReportData data;
  CurvePanel panel{"0.1", {}};
  CurveLine line;
  line.label = "tanh";
  for (int e = 0; e <= 200; ++e) {
    // On a log axis the training loss falls in a straight line; the test loss zigzags.
    const double train = std::exp(-e / 40.0), test = e % 2 == 0 ? 1.0 : 0.1;
    line.train.push_back({static_cast<double>(e), train, train / 2, train * 2});
    line.test.push_back({static_cast<double>(e), test, test / 2, test * 2});
  }
  panel.lines.push_back(line);
  data.panels.push_back(panel);
  const std::string html = report_html(data);

  const std::string train = path_of(html, "train"), test = path_of(html, "test");
  ASSERT_EQ(train.front(), 'M');
  const auto straight = path_points(train), zigzag = path_points(test);
  // A straight line needs its two ends; every turn of the zigzag is drawn, left to right.
  ASSERT_EQ(straight.size(), 2u) << train;
  ASSERT_EQ(zigzag.size(), 201u) << test;
  for (std::size_t i = 1; i < zigzag.size(); ++i) {
    EXPECT_GT(zigzag[i].first, zigzag[i - 1].first);
    EXPECT_EQ(zigzag[i].second < zigzag[i - 1].second, i % 2 == 0);  // loss 1 sits higher
  }
  // Steps are taken from rounded points: both lines end at the same place to the tenth.
  EXPECT_NEAR(straight.front().first, zigzag.front().first, 1e-9);
  EXPECT_NEAR(straight.back().first, zigzag.back().first, 1e-9);
  // The band goes out along the top and back along the bottom, and is closed.
  const std::string band = path_of(html, "band");
  ASSERT_EQ(band.back(), 'Z');
  const auto ring = path_points(band);
  ASSERT_EQ(ring.size(), 4u) << band;
  EXPECT_NEAR(ring[1].first, straight.back().first, 1e-9);
  EXPECT_NEAR(ring[3].first, straight.front().first, 1e-9);
  EXPECT_LT(ring[0].second, ring[3].second);  // the top edge is above the bottom one
}

TEST(ReportHtml, MakesNoNetworkRequest) {
  ReportData data;
  Boundary b;
  b.resolution = 1;
  b.values = {0.5};
  data.boundaries.push_back(b);
  const std::string html = report_html(data);
  EXPECT_EQ(html.find("http:"), std::string::npos);
  EXPECT_EQ(html.find("https:"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(html.find("href=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos);  // PNG
}

// The one address outside the page is Playground's, in a link: followed when clicked, never
// fetched; every image is inline.
TEST(ReportHtml, ThePlaygroundLinkIsTheOnlyAddressAndEveryImageIsInline) {
  ReportData data;
  data.boundaries.push_back(boundary_with_extras());
  const std::string html = report_html(data);
  const std::string link = "<a href=\"https://playground.tensorflow.org/#";
  std::size_t links = 0;
  for (std::size_t at = html.find("https:"); at != std::string::npos;
       at = html.find("https:", at + 1), ++links)
    EXPECT_EQ(html.compare(at - 9, link.size(), link), 0) << html.substr(at - 9, 60);
  EXPECT_EQ(links, 1u);
  std::size_t images = 0;
  for (std::size_t at = html.find("src="); at != std::string::npos;
       at = html.find("src=", at + 1), ++images)
    EXPECT_EQ(html.compare(at, 27, "src=\"data:image/png;base64,"), 0) << html.substr(at, 40);
  EXPECT_EQ(images, 3u + 2u + 2u);  // neurons, frames
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(ReportHtml, NeuronsFramesAndLinkAreDrawnBesideTheBoundary) {
  ReportData data;
  data.boundaries.push_back(boundary_with_extras());
  const std::string html = report_html(data);
  for (const char* alt : {"layer 1 neuron 1", "layer 1 neuron 3", "layer 2 neuron 2",
                          "output after epoch 0", "output after epoch 40"})
    EXPECT_NE(html.find(alt), std::string::npos) << alt;
  EXPECT_NE(html.find("the same settings, not the same run"), std::string::npos);
  // The URL's & are entities in the attribute.
  EXPECT_NE(html.find("#activation=tanh&amp;dataset=xor\""), std::string::npos);
  // The frames, the neurons and the link sit in the boundary's figure.
  const std::size_t figure = html.find("<figure class=\"boundary\""),
                    end = html.find("</figure>\n</div>", figure);
  EXPECT_LT(figure, html.find("layer 2 neuron 2"));
  EXPECT_LT(html.find("Open in TensorFlow Playground"), end);
}

TEST(ReportHtml, WithoutALinkThePageSaysWhyAndEscapesIt) {
  ReportData data;
  Boundary b = boundary_with_extras();
  b.playground_url.clear();
  b.playground_reason = "Playground has no <elu> activation";
  b.neurons.assign(1, std::vector<Grid>(12, Grid{1, {0.0}}));
  data.boundaries.push_back(b);
  const std::string html = report_html(data);
  EXPECT_NE(html.find("Not in TensorFlow Playground: Playground has no &lt;elu&gt; activation."),
            std::string::npos);
  EXPECT_EQ(html.find("https:"), std::string::npos);
  EXPECT_EQ(html.find("layer 1 neuron 9"), std::string::npos);  // 8 drawn of a wide layer
  EXPECT_NE(html.find("+4 more"), std::string::npos);
  b.playground_url = "javascript:alert(1)";
  data.boundaries = {b};
  EXPECT_EQ(report_html(data).find("javascript:"), std::string::npos);
}

// The boundary's picture: one pixel a cell on Playground's colours (probability 0 = orange,
// 0.5 = pale, 1 = blue), top row first.
TEST(ReportHtml, TheBoundaryPictureIsAPngOfPlaygroundsColours) {
  ReportData data;
  Boundary b;
  b.resolution = 2;
  b.values = {0.0, 0.5, 1.0, 0.5};
  data.boundaries.push_back(b);
  const std::string html = report_html(data);
  const std::string prefix = "href=\"data:image/png;base64,";
  const std::size_t at = html.find(prefix) + prefix.size();
  const std::string file = base64_decode(html.substr(at, html.find('"', at) - at));
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_memory(&png, file.data(), file.size()));
  png.format = PNG_FORMAT_RGB;
  std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(png));
  ASSERT_TRUE(png_image_finish_read(&png, nullptr, pixels.data(), 0, nullptr));
  EXPECT_EQ(pixels,
            (std::vector<std::uint8_t>{245, 147, 34, 232, 234, 235, 8, 119, 189, 232, 234, 235}));
}

}  // namespace
}  // namespace results

namespace results {
namespace {

ImportanceTable sampled_importance() {
  Importance importance(
      {"train.learning_rate", "model.activation"},
      {.is_sampled = [](std::string_view k) { return k == "train.learning_rate"; }});
  for (int i = 0; i < 30; ++i) {
    TrialRecord r;
    r.index = static_cast<std::uint64_t>(i);
    r.params = {{"train.learning_rate", std::to_string(0.001 * (i + 1))},
                {"model.activation", i % 2 ? "tanh" : "relu<b>"}};
    r.best.val_loss = i == 7 ? INFINITY : 0.01 * (i % 5 + 1);
    r.outcome = i == 7 ? Outcome::diverged : Outcome::learned;
    importance.add(r);
  }
  return importance.table();
}

// Random search: no mostly empty pivot, the charts instead; every name escaped, no non-finite
// number in a coordinate.
TEST(ReportHtml, ASampledPivotAxisGivesTheChartsInsteadOfAnEmptyTable) {
  const ImportanceTable table = sampled_importance();
  ReportData data;
  data.sweep_name = "random";
  data.importance = &table;
  const std::string page = report_html(data);
  EXPECT_NE(page.find("<b>train.learning_rate</b> was drawn at random"), std::string::npos);
  EXPECT_NE(page.find("<h2>What matters</h2>"), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"parallel coordinates\""), std::string::npos);
  EXPECT_EQ(page.find("relu<b>"), std::string::npos);
  EXPECT_NE(page.find("relu&lt;b&gt;"), std::string::npos);
  EXPECT_EQ(page.find("nan"), std::string::npos);
  EXPECT_EQ(page.find("inf\""), std::string::npos);
}

// 120 of 560 trials done in a minute, none before this run: 2 a second, 220 s to go.
LiveStatus running() {
  LiveStatus live;
  live.done = 120, live.total = 560, live.elapsed_seconds = 60, live.refresh_seconds = 5;
  live.counts.n[static_cast<std::size_t>(Outcome::learned)] = 40;
  live.counts.n[static_cast<std::size_t>(Outcome::diverged)] = 3;
  live.counts.n[static_cast<std::size_t>(Outcome::underfit)] = 77;
  return live;
}

TEST(ReportHtml, ALivePageRefreshesItselfAndHeadsWithTheRunsStatus) {
  ReportData data;
  data.live = running();
  const std::string html = report_html(data);
  const auto refresh = html.find("<meta http-equiv=\"refresh\" content=\"5\">\n");
  ASSERT_NE(refresh, std::string::npos);
  EXPECT_LT(refresh, html.find("</head>"));
  // The policy still forbids every fetch: a refresh is a navigation, which it leaves alone.
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  const auto line = html.find(
      "<b>running: 120 of 560 trials, learned 40, underfit 77, diverged 3, for 1 min, about 4 "
      "min left</b>");
  ASSERT_NE(line, std::string::npos) << html.substr(0, 3000);
  EXPECT_LT(html.find("</h1>"), line);
  EXPECT_LT(line, html.find("<section id=\"status\">"));
}

TEST(ReportHtml, AFinishedRunsPageHasNoRefreshTagNorStatusLine) {
  ReportData data;
  const std::string finished = report_html(data);
  EXPECT_EQ(finished.find("refresh"), std::string::npos);
  EXPECT_EQ(finished.find("id=\"live\""), std::string::npos);
  data.live = running();
  const std::string live = report_html(data);
  data.live.reset();
  EXPECT_EQ(report_html(data), finished);
}

TEST(ReportHtml, TheEtaWaitsForTheFirstTrialOfThisRun) {
  LiveStatus live = running();
  live.done_before = live.done;  // a resumed run that has finished nothing yet
  EXPECT_FALSE(live.eta_seconds());
  ReportData data;
  data.live = live;
  EXPECT_EQ(report_html(data).find(" left"), std::string::npos);
  live.done_before = 100, live.elapsed_seconds = 10;  // 20 in 10 s: 440 left at 2 a second
  ASSERT_TRUE(live.eta_seconds());
  EXPECT_DOUBLE_EQ(*live.eta_seconds(), 220);
  live.total = live.done;
  EXPECT_DOUBLE_EQ(*live.eta_seconds(), 0);
}

}  // namespace
}  // namespace results
