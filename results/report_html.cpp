#include "results/report_html.h"

#include <fmt/format.h>

#include <boost/geometry/algorithms/simplify.hpp>
#include <boost/geometry/geometries/linestring.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/strategies/agnostic/simplify_douglas_peucker.hpp>
#include <boost/geometry/strategies/cartesian/distance_projected_point.hpp>
#include <boost/geometry/strategies/cartesian/distance_pythagoras.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "results/metric_text.h"
#include "results/outcome_colours.h"
#include "results/png.h"
#include "results/report_charts.h"

namespace results {
namespace {

// Okabe-Ito: distinguishable with every common colour-vision deficiency (its yellow is left out:
// unreadable on white).
constexpr std::array<const char*, 7> kLineColours = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                     "#56B4E9", "#D55E00", "#000000"};

// A coordinate or length for SVG. Callers clamp to the drawing first; a non-finite value
// would make the browser drop the element, so it can never be written.
// `v` with one decimal (0 for a non-finite value).
void append_num(std::string& out, double v) {
  if (!std::isfinite(v)) v = 0;
  char text[std::numeric_limits<double>::max_exponent10 + 8];  // every finite double fits
  out.append(text, write_tenths(text, text + sizeof text, v));
}

std::string num(double v) {
  std::string out;
  append_num(out, v);
  return out;
}

struct Rgb {
  double r, g, b;
};
Rgb mix(Rgb a, Rgb b, double t) {
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}
std::string hex(Rgb c) {
  const auto byte = [](double v) {
    return static_cast<int>(std::lround(std::clamp(v, 0.0, 255.0)));
  };
  return fmt::format("#{:02x}{:02x}{:02x}", byte(c.r), byte(c.g), byte(c.b));
}
// TensorFlow Playground's scale: orange (-1, class 0) through light grey (0) to blue (+1).
Rgb playground_colour(double t) {
  constexpr Rgb orange{245, 147, 34}, light{232, 234, 235}, blue{8, 119, 189};
  if (!std::isfinite(t)) return light;
  t = std::clamp(t, -1.0, 1.0);
  return t < 0 ? mix(light, orange, -t) : mix(light, blue, t);
}

// "Nice" tick step (1, 2 or 5 x 10^k) giving at most `count` intervals over [0, span].
double nice_step(double span, int count) {
  if (!(span > 0)) return 1;
  const double raw = span / count;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * decade >= raw) return m * decade;
  return 10 * decade;
}

// ---------------------------------------------------------------- loss curves

struct Frame {  // a panel's plot area and its scales
  double left, top, width, height;
  double x_max;       // epochs, from 0
  double y_lo, y_hi;  // log10 of the loss axis
  double x(double epoch) const { return left + std::clamp(epoch / x_max, 0.0, 1.0) * width; }
  double y(double loss) const {
    // Losses at or below 0 (a perfect regression fit) sit on the bottom edge of a log axis.
    const double l = loss > 0 ? std::log10(loss) : y_lo;
    const double t = std::isfinite(l) ? (l - y_lo) / (y_hi - y_lo) : 1.0;
    // A little room past the edges keeps clipped lines visibly leaving the plot.
    return top + height - std::clamp(t, -0.02, 1.02) * height;
  }
};

using ChartPoint = boost::geometry::model::d2::point_xy<double>;
using ChartLine = boost::geometry::model::linestring<ChartPoint>;

// How far (in pixels) a point of a curve may lie from the line drawn without it and be left out:
// too little to see, and most of a curve's late, flat epochs go.
constexpr double kPathTolerance = 0.2;

// SVG path data through the points of chart lines: the first point absolute, every other one
// relative to the point before it, each rounded to a tenth of a pixel before the step is taken
// (so the rounding never adds up), and points within kPathTolerance of the line simplified away
// (Douglas-Peucker). The loss curves were most of report.html's bytes, and each byte is made,
// written and read again by the browser.
class PathData {
 public:
  void add(const ChartLine& line) {
    ChartLine kept;
    boost::geometry::simplify(line, kept, kPathTolerance);
    for (const ChartPoint& p : kept) add(p);
  }
  std::string close() && { return std::move(d_) + 'Z'; }
  std::string take() && { return std::move(d_); }

 private:
  void add(const ChartPoint& p) {
    const std::int64_t x = tenths(p.x()), y = tenths(p.y());
    if (d_.empty()) {
      d_ += 'M';
      number(x, false);
      number(y, true);
    } else {
      if (!relative_) d_ += 'l';
      number(x - x_, relative_);
      number(y - y_, true);
      relative_ = true;
    }
    x_ = x, y_ = y;
  }
  // A coordinate of the drawing (callers clamp to it) in tenths; a non-finite one would make the
  // browser drop the element, so it is drawn at 0.
  static std::int64_t tenths(double v) { return tenths_of(std::isfinite(v) ? v : 0); }
  // `t` tenths, shortest: 30 "3", 31 "3.1", 9 ".9", -5 "-.5"; after a separator when one is
  // needed (a minus sign separates by itself).
  void number(std::int64_t t, bool separated) {
    if (t < 0) {
      d_ += '-';
      t = -t;
    } else if (separated) {
      d_ += ',';
    }
    if (t >= 10 || t == 0) {
      char text[std::numeric_limits<std::int64_t>::digits10 + 1];
      d_.append(text, std::to_chars(text, text + sizeof text, t / 10).ptr);
    }
    if (t % 10 != 0) {
      d_ += '.';
      d_ += static_cast<char>('0' + t % 10);
    }
  }

  std::string d_;
  bool relative_ = false;
  std::int64_t x_ = 0, y_ = 0;
};

std::string polyline(const Frame& f, const std::vector<BandPoint>& points) {
  ChartLine line;
  for (const BandPoint& p : points) line.emplace_back(f.x(p.epoch), f.y(p.median));
  PathData d;
  d.add(line);
  return std::move(d).take();
}

std::string band(const Frame& f, const std::vector<BandPoint>& points) {
  if (points.size() < 2) return "";
  ChartLine high, low;
  for (const BandPoint& p : points) high.emplace_back(f.x(p.epoch), f.y(p.high));
  for (auto it = points.rbegin(); it != points.rend(); ++it)
    low.emplace_back(f.x(it->epoch), f.y(it->low));
  PathData d;
  d.add(high);
  d.add(low);
  return std::move(d).close();
}

// The loss axis shared by every panel: the decades that hold the medians and bands, with the
// top capped at 10x the largest starting loss so that a diverging run cannot flatten the rest.
std::pair<double, double> loss_range(const std::vector<CurvePanel>& panels) {
  double lo = INFINITY, hi = 0, start = 0;
  for (const auto& panel : panels)
    for (const auto& line : panel.lines)
      for (const auto* series : {&line.train, &line.test})
        for (std::size_t i = 0; i < series->size(); ++i) {
          const BandPoint& p = (*series)[i];
          for (double v : {p.low, p.median, p.high})
            if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
          if (i == 0 && std::isfinite(p.median)) start = std::max(start, p.median);
        }
  if (!(hi > 0) || !std::isfinite(lo)) return {-2, 1};
  if (start > 0) hi = std::min(hi, 10 * start);
  lo = std::max(lo, hi * 1e-6);
  double a = std::floor(std::log10(lo)), b = std::ceil(std::log10(hi));
  if (b <= a) b = a + 1;
  return {a, b};
}

std::string decade_label(double exponent) {
  return fmt::format("{:g}", std::pow(10.0, exponent));
}

// Decades on the loss axis (every other one when there are many), nice epochs below.
void panel_axes(std::string& out, const Frame& f, double x_max, std::pair<double, double> range,
                double H) {
  out += "<g class=\"axis\">\n";
  const double decades = range.second - range.first;
  const int every = decades > 6 ? 2 : 1;
  for (int k = 0; k <= static_cast<int>(decades); ++k) {
    const double e = range.first + k;
    const double y = f.y(std::pow(10.0, e));
    out += fmt::format("<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
                       num(f.left), num(f.left + f.width), num(y), num(y));
    if (k % every == 0)
      out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                         num(f.left - 6), num(y + 4), decade_label(e));
  }
  const double step = nice_step(x_max, 5);
  for (double e = 0; e <= x_max + 1e-9; e += step) {
    const double x = f.x(e);
    out += fmt::format("<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", num(x),
                       num(x), num(f.top), num(f.top + f.height));
    out +=
        fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n",
                    num(x), num(f.top + f.height + 16), e);
  }
  out += fmt::format(
      "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n"
      "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">epoch</text>\n"
      "<text class=\"label\" transform=\"translate(16 {}) rotate(-90)\" "
      "text-anchor=\"middle\">loss (log scale)</text>\n</g>\n",
      num(f.left), num(f.top), num(f.width), num(f.height), num(f.left + f.width / 2), num(H - 8),
      num(f.top + f.height / 2));
}

// One column value's line: its bands, its train and test medians, and where it was cut.
void panel_line(std::string& out, const Frame& f, const CurveLine& line, const char* colour) {
  out += fmt::format("<g class=\"line\" data-label=\"{}\">", escape_html(line.label));
  for (const auto* series : {&line.train, &line.test})
    if (const std::string d = band(f, *series); !d.empty())
      out += fmt::format("<path class=\"band\" fill=\"{}\" d=\"{}\"/>", colour, d);
  out += fmt::format("<path class=\"train\" stroke=\"{}\" d=\"{}\"/>", colour,
                     polyline(f, line.train));
  out +=
      fmt::format("<path class=\"test\" stroke=\"{}\" d=\"{}\"/>", colour, polyline(f, line.test));
  if (line.train.size() == 1)  // a single point draws no path: show it as a dot
    out += fmt::format("<circle class=\"dot\" fill=\"{}\" cx=\"{}\" cy=\"{}\" r=\"3\"/>", colour,
                       num(f.x(line.train[0].epoch)), num(f.y(line.train[0].median)));
  if (line.cut) {
    const BandPoint& end = line.train.back();
    const double x = f.x(end.epoch), y = f.y(end.median);
    out += fmt::format(
        "<g class=\"cut\"><title>{} of {} trials diverged; the line stops here</title>"
        "<path class=\"halo\" d=\"M{},{}l10,10m0,-10l-10,10\"/><path stroke=\"{}\" "
        "d=\"M{},{}l10,10m0,-10l-10,10\"/><text x=\"{}\" y=\"{}\" "
        "fill=\"{}\">diverged</text></g>",
        line.diverged, line.trials, num(x - 5), num(y - 5), colour, num(x - 5), num(y - 5),
        num(x + 8), num(y - 7), colour);
  }
  out += "</g>\n";
}

void curve_panel(std::string& out, const CurvePanel& panel, int index, const PivotSpec& pivot,
                 double x_max, std::pair<double, double> range) {
  constexpr double W = 380, H = 250;
  const Frame f{.left = 62,
                .top = 34,
                .width = W - 62 - 14,
                .height = H - 34 - 46,
                .x_max = x_max,
                .y_lo = range.first,
                .y_hi = range.second};
  out += fmt::format(
      "<svg class=\"panel\" id=\"curves-{}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "role=\"img\" aria-label=\"{} = {}\">\n",
      index, W, H, W, H, escape_html(pivot.rows), escape_html(panel.title));
  out += fmt::format("<text class=\"ptitle\" x=\"{}\" y=\"20\">{} = {}</text>\n", num(f.left),
                     escape_html(pivot.rows), escape_html(panel.title));
  panel_axes(out, f, x_max, range, H);
  out += fmt::format(
      "<clipPath id=\"clip-{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>\n"
      "<g class=\"lines\" clip-path=\"url(#clip-{})\">\n",
      index, num(f.left), num(f.top), num(f.width), num(f.height), index);
  for (std::size_t l = 0; l < panel.lines.size(); ++l)
    if (!panel.lines[l].train.empty())
      panel_line(out, f, panel.lines[l], kLineColours[l % kLineColours.size()]);
  out += "</g>\n</svg>\n";
}

// A pivot axis drawn at random (random search), or nothing: nearly every value of such a setting
// occurs once, so a panel or a row per value would be mostly empty.
std::string sampled_pivot_axis(const ReportData& data) {
  if (!data.importance) return {};
  for (const std::string& key : data.importance->binned)
    if (key == data.pivot.rows || key == data.pivot.cols) return key;
  return {};
}

// What a section drawn per value of a sampled axis says instead.
bool said_sampled(std::string& out, const ReportData& data, const char* what) {
  const std::string axis = sampled_pivot_axis(data);
  if (axis.empty()) return false;
  out += fmt::format(
      "<p class=\"empty\"><b>{}</b> was drawn at random: almost each of its values occurs once, "
      "so {} per value would be mostly empty. <a href=\"#importance\">What matters</a> plots "
      "the loss against each sampled setting instead; convergence.csv keeps the pivot.</p>\n"
      "</section>\n",
      escape_html(axis), what);
  return true;
}

void curves_section(std::string& out, const ReportData& data) {
  out += "<section id=\"curves\">\n<h2>Loss curves</h2>\n";
  if (said_sampled(out, data, "a panel")) return;
  if (data.panels.empty()) {
    out +=
        "<p class=\"empty\">No loss curves to draw (no trials, or <code>curves: "
        "off</code>).</p>\n</section>\n";
    return;
  }
  out += fmt::format(
      "<p class=\"explain\">One panel per <b>{}</b>, one colour per <b>{}</b>. Lines are the "
      "median "
      "over a cell's trials (repeats and any other axes), the shaded band spans their minimum to "
      "maximum; solid = training loss, dashed = test loss.{}</p>\n",
      escape_html(data.pivot.rows), escape_html(data.pivot.cols),
      data.curve_step > 1 ? fmt::format(" Sampled every {} epochs.", data.curve_step) : "");
  // The legend is HTML: one for every panel, since colours mean the same column value in each.
  out += "<div class=\"legend\" id=\"curves-legend\">";
  const auto& labels = data.panels.front().lines;
  for (std::size_t l = 0; l < labels.size(); ++l)
    out += fmt::format(
        "<span><svg width=\"26\" height=\"12\"><line x1=\"1\" x2=\"25\" y1=\"6\" y2=\"6\" "
        "stroke=\"{}\" stroke-width=\"3\"/></svg>{} = {}</span>",
        kLineColours[l % kLineColours.size()], escape_html(data.pivot.cols),
        escape_html(labels[l].label));
  out +=
      "<span><svg width=\"26\" height=\"12\"><line x1=\"1\" x2=\"25\" y1=\"6\" y2=\"6\" "
      "stroke=\"#444\" stroke-width=\"2.2\"/></svg>train</span>"
      "<span><svg width=\"26\" height=\"12\"><line x1=\"1\" x2=\"25\" y1=\"6\" y2=\"6\" "
      "stroke=\"#444\" stroke-width=\"1.8\" stroke-dasharray=\"5 3\"/></svg>test</span>"
      "<span><svg width=\"26\" height=\"12\"><rect x=\"1\" y=\"1\" width=\"24\" height=\"10\" "
      "fill=\"#444\" fill-opacity=\"0.15\"/></svg>min..max</span>"
      "<span><svg width=\"26\" height=\"12\"><path d=\"M9,2l8,8m0,-8l-8,8\" stroke=\"#444\" "
      "stroke-width=\"2\"/></svg>cut: most trials diverged</span></div>\n";
  double x_max = 1;
  for (const auto& panel : data.panels)
    for (const auto& line : panel.lines)
      for (const auto* series : {&line.train, &line.test})
        for (const BandPoint& p : *series)
          if (std::isfinite(p.epoch)) x_max = std::max(x_max, p.epoch);
  if (!std::isfinite(x_max)) x_max = 1;
  const auto range = loss_range(data.panels);
  out += "<div class=\"panels\">\n";
  for (std::size_t p = 0; p < data.panels.size(); ++p)
    curve_panel(out, data.panels[p], static_cast<int>(p), data.pivot, x_max, range);
  out += "</div>\n</section>\n";
}

// ---------------------------------------------------------------- heatmap

bool higher_is_better(std::string_view metric) {
  return metric == "success_rate" || metric.find("accuracy") != std::string_view::npos ||
         metric.find("macro_f1") != std::string_view::npos;
}

std::string counts_text(const ConvergenceTable::Cell* cell) {
  if (!cell) return "no trials";
  std::string text = fmt::format("{} trials:", cell->counts.total());
  for (std::size_t k = 0; k < kOutcomes; ++k)
    if (cell->counts.n[k] > 0)
      text += fmt::format(" {} {},", cell->counts.n[k], nn::kOutcomeNames[k]);
  text.pop_back();
  return text;
}

void outcome_legend(std::string& out) {
  out += "<div class=\"legend\">";
  for (std::size_t k = 0; k + 1 < kOutcomes; ++k)
    out += fmt::format("<span><i style=\"background:{}\"></i>{}</span>", kOutcomeColours[k].fill,
                       nn::kOutcomeNames[k]);
  out += "<span><i style=\"background:#f4f4f4\"></i>no trials</span></div>\n";
}

// A cell's tooltip: its counts, and why its dominant outcome happened.
std::string cell_title(const ConvergenceTable::Cell* cell) {
  std::string title = counts_text(cell);
  if (cell && !cell->reason().empty()) title += "\n" + escape_html(cell->reason());
  return title;
}

void reasons_list(std::string& out, const ConvergenceTable& table) {
  const auto reasons = table.reasons();
  if (reasons.empty()) return;
  const PivotSpec& spec = table.spec();
  out +=
      "<h3>Cells that did not learn, and why</h3>\n<p class=\"explain\">The reason given "
      "for the first trial of each cell with the cell's outcome.</p>\n<ul class=\"reasons\">\n";
  for (const auto& r : reasons)
    out += fmt::format("<li><b>{}={}, {}={}</b>: <span class=\"{}\">{}</span>: {}</li>\n",
                       escape_html(spec.rows), escape_html(r.row), escape_html(spec.cols),
                       escape_html(r.col), nn::to_string(r.outcome), nn::to_string(r.outcome),
                       escape_html(r.reason));
  out += "</ul>\n";
}

std::string heatmap_explain(const PivotSpec& spec) {
  if (spec.cell == "outcome")
    return fmt::format(
        "<p class=\"explain\">Rows: <b>{}</b>; columns: <b>{}</b>. Each cell: the outcome most of "
        "its trials had (its colour) and their share; for <b>learned</b>, the median "
        "epochs_to_target (ep) of the learned trials.</p>\n",
        escape_html(spec.rows), escape_html(spec.cols));
  return fmt::format(
      "<p class=\"explain\">Rows: <b>{}</b>; columns: <b>{}</b>. Each cell: the mean <b>{}</b> "
      "over its trials (its colour: darker = better), the 95% confidence interval of that mean "
      "in square brackets and, in round ones, the share of its trials that learned.</p>\n",
      escape_html(spec.rows), escape_html(spec.cols), escape_html(spec.cell));
}

// The grid of the heatmap: cells wide enough for the longest cell text ("still_learning 100%",
// "learned 100%, 304.5 ep") in the cells' bold 14 px type, about 9 px a character in the sans
// fonts browsers pick, and for the row labels on their left.
struct HeatmapGrid {
  double cw = 0, ch = 38, left = 0, top = 52, W = 0, H = 0;
};

HeatmapGrid heatmap_grid(const ConvergenceTable& table, const std::vector<std::string>& rows,
                         const std::vector<std::string>& cols) {
  std::size_t label_chars = table.spec().rows.size(), cell_chars = 0;
  for (const auto& r : rows) label_chars = std::max(label_chars, r.size());
  for (const auto& r : rows)
    for (const auto& c : cols)
      cell_chars = std::max(cell_chars, table.display(table.cell(r, c)).size());
  HeatmapGrid g;
  g.cw = std::max(128.0, 9.0 * static_cast<double>(cell_chars) + 16);
  g.left = std::clamp(8.0 * static_cast<double>(label_chars) + 20, 90.0, 260.0);
  g.W = g.left + g.cw * static_cast<double>(cols.size()) + 4;
  g.H = g.top + g.ch * static_cast<double>(rows.size()) + 4;
  return g;
}

constexpr Rgb kBetter{26, 152, 80}, kWorse{199, 233, 192};

// A metric cell's colour follows the metric over every cell that has it.
struct MetricScale {
  double lo = INFINITY, hi = -INFINITY;
  bool higher_better = false;
};

MetricScale metric_scale(const ConvergenceTable& table, const std::vector<std::string>& rows,
                         const std::vector<std::string>& cols) {
  MetricScale scale;
  const PivotSpec& spec = table.spec();
  scale.higher_better = higher_is_better(spec.cell);
  if (spec.cell == "outcome") return scale;
  for (const auto& r : rows)
    for (const auto& c : cols)
      if (const auto* cell = table.cell(r, c)) {
        const double v = cell->value(spec.cell);
        if (std::isfinite(v)) scale.lo = std::min(scale.lo, v), scale.hi = std::max(scale.hi, v);
      }
  return scale;
}

void heatmap_cell(std::string& out, const ConvergenceTable& table,
                  const ConvergenceTable::Cell* cell, const MetricScale& scale, double x, double y,
                  const HeatmapGrid& g) {
  const PivotSpec& spec = table.spec();
  std::string fill = "#f4f4f4", ink = "#222", cls = "none";
  if (cell && spec.cell == "outcome") {
    const Outcome top = dominant(cell->counts);
    fill = swatch(top).fill, ink = swatch(top).dark ? "#fff" : "#123";
    cls = std::string(nn::to_string(top));
  } else if (cell) {
    const double value = cell->value(spec.cell);
    cls = "metric";
    if (std::isfinite(value)) {
      double t = scale.hi > scale.lo ? (value - scale.lo) / (scale.hi - scale.lo) : 0.0;
      if (scale.higher_better) t = 1 - t;
      fill = hex(mix(kBetter, kWorse, t)), ink = t < 0.45 ? "#fff" : "#123";
    }
  }
  out += fmt::format(
      "<g class=\"cell {}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" "
      "height=\"{}\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" fill=\"{}\" "
      "text-anchor=\"middle\">{}</text></g>\n",
      cls, cell_title(cell), num(x + 1), num(y + 1), num(g.cw - 2), num(g.ch - 2), fill,
      num(x + g.cw / 2), num(y + g.ch / 2 + 5), ink, escape_html(table.display(cell)));
}

void heatmap_svg(std::string& out, const ConvergenceTable& table,
                 const std::vector<std::string>& rows, const std::vector<std::string>& cols) {
  const PivotSpec& spec = table.spec();
  const HeatmapGrid g = heatmap_grid(table, rows, cols);
  const MetricScale scale = metric_scale(table, rows, cols);
  out += fmt::format(
      "<svg id=\"heatmap-svg\" class=\"heatmap\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "role=\"img\" aria-label=\"convergence table\">\n",
      num(g.W), num(g.H), num(g.W), num(g.H));
  out += fmt::format(
      "<text class=\"label\" x=\"{}\" y=\"16\" text-anchor=\"middle\">{}</text>\n"
      "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{} \u2193</text>\n",
      num(g.left + g.cw * static_cast<double>(cols.size()) / 2), escape_html(spec.cols),
      num(g.left - 8), num(g.top - 10), escape_html(spec.rows));
  for (std::size_t c = 0; c < cols.size(); ++c)
    out += fmt::format("<text class=\"head\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                       num(g.left + g.cw * (static_cast<double>(c) + 0.5)), num(g.top - 10),
                       escape_html(cols[c]));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = g.top + g.ch * static_cast<double>(r);
    out += fmt::format("<text class=\"head\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                       num(g.left - 8), num(y + g.ch / 2 + 5), escape_html(rows[r]));
    for (std::size_t c = 0; c < cols.size(); ++c)
      heatmap_cell(out, table, table.cell(rows[r], cols[c]), scale,
                   g.left + g.cw * static_cast<double>(c), y, g);
  }
  out += "</svg>\n";
}

void heatmap_section(std::string& out, const ReportData& data) {
  out += "<section id=\"heatmap\">\n<h2>Convergence table</h2>\n";
  if (said_sampled(out, data, "a table with a row or a column")) return;
  const ConvergenceTable* table = data.table;
  const auto rows = table ? table->row_values() : std::vector<std::string>{};
  const auto cols = table ? table->col_values() : std::vector<std::string>{};
  if (rows.empty() || cols.empty()) {
    out += "<p class=\"empty\">No trials yet.</p>\n</section>\n";
    return;
  }
  const PivotSpec& spec = table->spec();
  out += heatmap_explain(spec);
  heatmap_svg(out, *table, rows, cols);
  if (spec.cell == "outcome") {
    outcome_legend(out);
  } else {
    out += fmt::format(
        "<div class=\"legend\"><span><i style=\"background:{}\"></i>better {}</span><span><i "
        "style=\"background:{}\"></i>worse</span><span><i style=\"background:#f4f4f4\"></i>no "
        "value</span></div>\n",
        hex(kBetter), escape_html(spec.cell), hex(kWorse));
  }
  reasons_list(out, *table);
  out += "</section>\n";
}

// ---------------------------------------------------------------- status and best

// Successive halving: where the trials stopped, rung by rung.
void rungs_table(std::string& out, const ReportData& data) {
  if (data.rungs.empty()) return;
  out +=
      "<table class=\"rungs\"><caption>Where the trials stopped (successive halving)</caption>\n"
      "<tr><th>rung</th><th>epochs</th><th>pruned there</th><th>ended there</th></tr>\n";
  for (const RungStop& stop : data.rungs)
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", stop.rung,
                       stop.epochs, stop.pruned, stop.other);
  out += "</table>\n";
}

void status_section(std::string& out, const ReportData& data) {
  const OutcomeCounts& k = data.counts;
  out += "<section id=\"status\">\n<h2>Trials by outcome</h2>\n";
  out += fmt::format("<p class=\"counts\"><b>{}</b> trials: ", k.total());
  std::vector<std::tuple<std::string_view, const char*, std::uint64_t>> parts;
  for (std::size_t i = 0; i < kOutcomes; ++i)
    if (k.n[i] > 0) parts.emplace_back(nn::kOutcomeNames[i], kOutcomeColours[i].fill, k.n[i]);
  for (const auto& [name, colour, n] : parts)
    out += fmt::format("<span class=\"badge\"><i style=\"background:{}\"></i>{} {}</span>", colour,
                       n, name);
  out += "</p>\n";
  if (k.total() > 0) {
    constexpr double W = 640, H = 22;
    out += fmt::format(
        "<svg id=\"status-bar\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
        "aria-label=\"trials by outcome\">",
        W, H, W, H);
    double x = 0;
    for (const auto& [name, colour, n] : parts) {
      const double w = W * static_cast<double>(n) / static_cast<double>(k.total());
      if (w > 0)
        out += fmt::format(
            "<rect x=\"{}\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} "
            "{}</title></rect>",
            num(x), num(w), H, colour, n, name);
      x += w;
    }
    out += "</svg>\n";
  }
  rungs_table(out, data);
  out += "</section>\n";
}

// A number of the best table, or a dash when there is none.
std::string or_dash(double v, std::string (*text)(double)) {
  return std::isfinite(v) ? text(v) : "\u2013";
}

std::string best_row(std::size_t i, const BestRow& row) {
  std::string settings;
  for (const auto& [key, value] : row.params)
    settings += fmt::format("<code>{}={}</code> ", escape_html(key), escape_html(value));
  if (settings.empty()) settings = "(the only configuration)";
  if (row.like_best())
    settings += fmt::format(
        "<mark title=\"not distinguishable from the best with these repeats\">\u2248 1. "
        "(Welch p {})</mark>",
        escape_html(p_value_text(row.p_vs_best)));
  std::string loss = or_dash(row.score, loss_text);
  if (std::isfinite(row.score_low))
    loss += fmt::format("<br><small>{} to {}</small>", loss_text(row.score_low),
                        loss_text(row.score_high));
  return fmt::format(
      "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td><code>{}</"
      "code> at epoch {}</td></tr>\n",
      i + 1, settings, loss, or_dash(row.accuracy, accuracy_text), or_dash(row.epochs, epochs_text),
      row.learned, row.n, escape_html(row.trial_id), row.epoch);
}

void best_section(std::string& out, const ReportData& data) {
  out += "<section id=\"best\">\n<h2>Best configurations</h2>\n";
  if (data.best.empty()) {
    out += "<p class=\"empty\">No configuration has a finite loss to rank by.</p>\n</section>\n";
    return;
  }
  out += fmt::format(
      "<p class=\"explain\">Ranked by {}; ties by fewer epochs to target. Test accuracy is shown, "
      "never used to choose. Under a loss, the 95% confidence interval of its mean over the "
      "repeats; <mark>\u2248 1.</mark> marks a configuration that Welch's t-test at 5% cannot "
      "tell from the first with these repeats: more repeats may separate them.</p>\n",
      escape_html(data.best_by));
  out +=
      "<table class=\"best\"><thead><tr><th>#</th><th>settings</th><th>loss</th><th>test "
      "accuracy</th><th>epochs to target</th><th>learned</th><th>best "
      "repeat</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < data.best.size(); ++i) out += best_row(i, data.best[i]);
  out += "</tbody></table>\n</section>\n";
}

// ---------------------------------------------------------------- decision boundaries

// The stack has no base64 encoder (Boost's sits in Serialization), and it is a dozen lines.
std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

bool is_grid(int resolution, const std::vector<double>& values) {
  return resolution > 0 && values.size() == static_cast<std::size_t>(resolution) *
                                                static_cast<std::size_t>(resolution);
}

// A grid as a PNG data: URI, one pixel a cell on Playground's scale: of -1..1 itself, or of a
// probability (0..1) stretched to it. SVG rectangles per cell would be ten times larger.
std::string picture(int resolution, const std::vector<double>& values, bool probability) {
  Image image{.width = resolution, .height = resolution, .channels = 3, .pixels = {}};
  image.pixels.reserve(3 * values.size());
  for (double v : values) {
    const Rgb c = playground_colour(probability ? 2 * v - 1 : v);
    for (double channel : {c.r, c.g, c.b})
      image.pixels.push_back(
          static_cast<std::uint8_t>(std::lround(std::clamp(channel, 0.0, 255.0))));
  }
  return "data:image/png;base64," + base64(encode_png(image));
}

// The output at earlier epochs, small, left to right.
void frames_strip(std::string& out, const Boundary& b) {
  std::string tiles;
  for (const Boundary::Frame& f : b.frames)
    if (is_grid(f.output.resolution, f.output.values))
      tiles += fmt::format(
          "<figure><img src=\"{}\" width=\"88\" height=\"88\" alt=\"output after epoch "
          "{}\"><figcaption>epoch {}</figcaption></figure>",
          picture(f.output.resolution, f.output.values, !b.regression), f.epoch, f.epoch);
  if (!tiles.empty())
    out += "<div class=\"extra\"><p>As it trained:</p><div class=\"frames\">" + tiles +
           "</div></div>\n";
}

// The hidden neurons, one column per layer as Playground lays them out; a wide network shows
// its first kMaxTiles neurons of a layer and its first kMaxColumns layers.
void neuron_columns(std::string& out, const Boundary& b) {
  constexpr std::size_t kMaxColumns = 6, kMaxTiles = 8;
  if (b.neurons.empty()) return;
  out +=
      "<div class=\"extra\"><p>Its hidden neurons, layer by layer (each one's output over the "
      "square, orange -1 to blue +1):</p><div class=\"network\">";
  for (std::size_t l = 0; l < b.neurons.size() && l < kMaxColumns; ++l) {
    const auto& layer = b.neurons[l];
    out += fmt::format("<div class=\"layer\"><span>layer {}</span>", l + 1);
    for (std::size_t u = 0; u < layer.size() && u < kMaxTiles; ++u)
      if (is_grid(layer[u].resolution, layer[u].values))
        out += fmt::format(
            "<img src=\"{}\" width=\"44\" height=\"44\" alt=\"layer {} neuron {}\" "
            "title=\"layer {}, neuron {}\">",
            picture(layer[u].resolution, layer[u].values, false), l + 1, u + 1, l + 1, u + 1);
    if (layer.size() > kMaxTiles)
      out += fmt::format("<span>+{} more</span>", layer.size() - kMaxTiles);
    out += "</div>";
  }
  if (b.neurons.size() > kMaxColumns)
    out += fmt::format("<div class=\"layer\"><span>+{} layers</span></div>",
                       b.neurons.size() - kMaxColumns);
  out += "</div></div>\n";
}

// A link away from the page (a navigation, never a request), or why there is none. Only a link
// into Playground: the page sends its reader nowhere else.
constexpr std::string_view kPlayground = "https://playground.tensorflow.org/";

std::string differences_text(const std::vector<std::string>& differences) {
  std::string text;
  for (const std::string& d : differences) text += "; " + escape_html(d);
  return text;
}

void playground_line(std::string& out, const Boundary& b) {
  if (b.playground_url.starts_with(kPlayground))
    out += fmt::format(
        "<p class=\"playground\"><a href=\"{}\" rel=\"noopener noreferrer\">Open in "
        "TensorFlow Playground</a>: the same settings, not the same run (Playground draws its "
        "own points and starts from its own random weights{}).</p>\n",
        escape_html(b.playground_url), differences_text(b.playground_differences));
  else if (!b.playground_reason.empty())
    out += fmt::format("<p class=\"playground\">Not in TensorFlow Playground: {}.</p>\n",
                       escape_html(b.playground_reason));
}

void boundary_panel(std::string& out, const Boundary& b, int index) {
  constexpr double W = 420, H = 420, left = 46, top = 10, side = 360;
  const auto px = [&](double x1) { return left + (x1 + b.extent) / (2 * b.extent) * side; };
  const auto py = [&](double x2) { return top + (b.extent - x2) / (2 * b.extent) * side; };
  out += fmt::format(
      "<figure class=\"boundary\" id=\"boundary-{}\"><figcaption><b>{}</b> {}</figcaption>\n",
      index, escape_html(b.title), escape_html(b.caption));
  out += fmt::format(
      "<svg viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"decision "
      "boundary, {}\">\n",
      W, H, W, H, escape_html(b.title));
  if (is_grid(b.resolution, b.values))
    out += fmt::format(
        "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" "
        "href=\"{}\"/>\n",
        num(left), num(top), num(side), num(side), picture(b.resolution, b.values, !b.regression));
  out += fmt::format(
      "<clipPath id=\"bclip-{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>"
      "<g class=\"points\" clip-path=\"url(#bclip-{})\">\n",
      index, num(left), num(top), num(side), num(side), index);
  // Training points first, test points (ringed in black, as Playground shows them) on top;
  // points outside the square are left out rather than drawn on its edge.
  for (const bool test : {false, true})
    for (const auto& p : b.points) {
      if (p.test != test || !std::isfinite(p.x1) || !std::isfinite(p.x2) ||
          std::abs(p.x1) > b.extent || std::abs(p.x2) > b.extent)
        continue;
      const Rgb colour = playground_colour(b.regression ? p.value : (p.value > 0.5 ? 1.0 : -1.0));
      out += fmt::format("<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>",
                         test ? "test" : "train", num(px(p.x1)), num(py(p.x2)), hex(colour));
    }
  out += "</g>\n<g class=\"axis\">";
  out += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                     num(left), num(top), num(side), num(side));
  const double step = nice_step(2 * b.extent, 4);
  for (double v = -std::floor(b.extent / step) * step; v <= b.extent + 1e-9; v += step) {
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>",
                       num(px(v)), num(top + side + 15), v);
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{:g}</text>",
                       num(left - 5), num(py(v) + 4), v);
  }
  out += fmt::format(
      "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">x1</text>"
      "<text class=\"label\" transform=\"translate(14 {}) rotate(-90)\" "
      "text-anchor=\"middle\">x2</text></g>\n</svg>\n",
      num(left + side / 2), num(H - 12), num(top + side / 2));
  frames_strip(out, b);
  neuron_columns(out, b);
  playground_line(out, b);
  out += "</figure>\n";
}

void boundaries_section(std::string& out, const ReportData& data) {
  out += "<section id=\"boundaries\">\n<h2>Decision boundaries</h2>\n";
  if (data.boundaries.empty()) {
    out +=
        "<p class=\"empty\">None: no trial of a built-in 2-D dataset has a finite "
        "loss.</p>\n</section>\n";
    return;
  }
  out += fmt::format(
      "<p class=\"explain\">The best trial of each dataset, drawn as TensorFlow Playground draws "
      "it: "
      "the background is the network's output over the input square (orange = class 0 or "
      "negative, blue = class 1 or positive, pale = undecided); dots are the data, test points "
      "ringed in black.</p>\n<div class=\"legend\"><span><svg width=\"120\" height=\"12\">"
      "<defs><linearGradient id=\"scale\"><stop offset=\"0\" stop-color=\"{}\"/><stop "
      "offset=\"0.5\" stop-color=\"{}\"/><stop offset=\"1\" stop-color=\"{}\"/></linearGradient>"
      "</defs><rect width=\"120\" height=\"12\" fill=\"url(#scale)\"/></svg>output: class 0 "
      "\u2194 class 1 (regression: -1 \u2194 +1)</span><span><svg width=\"14\" "
      "height=\"12\"><circle "
      "cx=\"7\" cy=\"6\" r=\"4\" fill=\"#888\" stroke=\"#fff\"/></svg>training point</span>"
      "<span><svg width=\"14\" height=\"12\"><circle cx=\"7\" cy=\"6\" r=\"4\" fill=\"#888\" "
      "stroke=\"#000\" stroke-width=\"1.4\"/></svg>test point</span></div>\n<div "
      "class=\"panels\">\n",
      hex(playground_colour(-1)), hex(playground_colour(0)), hex(playground_colour(1)));
  for (std::size_t i = 0; i < data.boundaries.size(); ++i)
    boundary_panel(out, data.boundaries[i], static_cast<int>(i));
  out += "</div>\n</section>\n";
}

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;
 color:#222;margin:24px auto;max-width:1320px;padding:0 16px;font-size:16px;line-height:1.45}
h1{font-size:28px;margin:0 0 4px}h2{font-size:21px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.explain,.note,.empty{color:#555;max-width:70em}
.panels{display:flex;flex-wrap:wrap;gap:10px 18px}
.reasons{font-size:14px;line-height:1.45;margin:4px 0 12px;padding-left:20px;max-width:1100px}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0 10px;font-size:15px}
.legend span{display:inline-flex;align-items:center;gap:6px}
.legend i,.badge i{display:inline-block;width:14px;height:14px;border-radius:2px;border:1px solid #0002}
.badge{display:inline-flex;align-items:center;gap:5px;margin-right:14px}
svg text{font-size:13px;fill:#222}svg .ptitle{font-size:15px;font-weight:600}
svg .tick{font-size:12px;fill:#444}svg .label{font-size:13px;fill:#333}
svg .head{font-size:14px;font-weight:600}.heatmap .cell text{font-size:14px;font-weight:600}
svg .grid{stroke:#e6e6e6;stroke-width:1}svg .frame{fill:none;stroke:#999}
svg .band{fill-opacity:.14;stroke:none}svg .train{fill:none;stroke-width:2.2}
svg .test{fill:none;stroke-width:1.8;stroke-dasharray:5 3}
svg .cut path{stroke-width:2.6;fill:none}svg .cut .halo{stroke:#fff;stroke-width:5}
svg .cut text{font-size:12px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}
.points .train{stroke:#fff;stroke-width:.8}.points .test{stroke:#000;stroke-width:1.3}
table.best{border-collapse:collapse;font-size:15px}
table.best th,table.best td{border-bottom:1px solid #e3e3e3;padding:5px 12px;text-align:left}
table.best td:nth-child(n+3){text-align:right;font-variant-numeric:tabular-nums}
#best mark{background:#e8f0fe;color:#1a3d7c;padding:1px 5px;border-radius:3px;font-size:13px;white-space:nowrap}
table.best small{color:#666}
code{font-size:14px;background:#f3f3f3;padding:1px 4px;border-radius:3px}
figure.boundary{margin:0;max-width:420px}figure.boundary>figcaption{font-size:15px;margin-bottom:4px}
.extra p,.playground{font-size:14px;color:#555;margin:6px 0 4px}
.frames,.network{display:flex;gap:6px 10px;flex-wrap:wrap}
.frames figure{margin:0;font-size:13px;text-align:center}.frames figcaption{color:#444}
.network .layer{display:flex;flex-direction:column;gap:4px;font-size:13px;color:#444}
.frames img,.network img{border:1px solid #ccc;border-radius:2px}
)";

// ---------------------------------------------------------------- a run still going

// "45 s", "3 min", "1 h 20 min": rough on purpose, as an ETA is.
std::string duration_text(double seconds) {
  const auto s = static_cast<std::uint64_t>(std::max(0.0, std::round(seconds)));
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min", (s + 30) / 60);
  return fmt::format("{} h {} min", s / 3600, s / 60 % 60);
}

// The refresh tag: a navigation of the page itself, which the Content-Security-Policy (it
// governs fetches of subresources) does not block.
void live_refresh(std::string& out, const ReportData& data) {
  if (data.live)
    out += fmt::format("<meta http-equiv=\"refresh\" content=\"{}\">\n",
                       std::max(1, data.live->refresh_seconds));
}

// "running: 120 of 560 trials, learned 40, diverged 3, for 2 min, about 5 min left".
void live_line(std::string& out, const ReportData& data) {
  if (!data.live) return;
  const LiveStatus& live = *data.live;
  std::string line = fmt::format("running: {} of {} trials", live.done, live.total);
  for (std::size_t k = 0; k < kOutcomes; ++k)
    if (live.counts.n[k] > 0)
      line += fmt::format(", {} {}", nn::kOutcomeNames[k], live.counts.n[k]);
  line += ", for " + duration_text(live.elapsed_seconds);
  if (const auto eta = live.eta_seconds()) line += ", about " + duration_text(*eta) + " left";
  out += fmt::format(
      "<p id=\"live\" class=\"note\"><b>{}</b>. This page is rebuilt while the run goes and "
      "reloads every {} s; the final page replaces it when the run ends.</p>\n",
      escape_html(line), std::max(1, live.refresh_seconds));
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::optional<double> LiveStatus::eta_seconds() const {
  if (done <= done_before || elapsed_seconds <= 0) return std::nullopt;
  const double rate = static_cast<double>(done - done_before) / elapsed_seconds;
  return static_cast<double>(total > done ? total - done : 0) / rate;
}

std::string report_html(const ReportData& data) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // Nothing may be fetched: no script, no font, no image except inline data.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
      "style-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  live_refresh(out, data);
  out += fmt::format("<title>nnsweep report: {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     escape_html(data.sweep_name), std::string(kStyle) + kChartStyle);
  out +=
      fmt::format("<header><h1>nnsweep report: {}</h1></header>\n", escape_html(data.sweep_name));
  live_line(out, data);
  status_section(out, data);
  curves_section(out, data);
  heatmap_section(out, data);
  importance_sections(out, data.importance);
  best_section(out, data);
  boundaries_section(out, data);
  if (!data.notes.empty()) {
    out += "<section id=\"notes\"><h2>Notes</h2><ul>\n";
    for (const auto& note : data.notes) out += "<li>" + escape_html(note) + "</li>\n";
    out += "</ul></section>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace results
