#include "results/report_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "results/metric_text.h"
#include "results/outcome_colours.h"
#include "results/report_html.h"

namespace results {

const char* const kChartStyle = R"(
svg.bars text,svg.chart text{font:12px system-ui,sans-serif;fill:#333}
svg.chart .axis{stroke:#999;stroke-width:1}
svg.chart .trial{fill:none;stroke-width:1.2;stroke-opacity:.45}
svg.chart .median{fill:none;stroke:#222;stroke-width:2}
.slices{display:flex;flex-wrap:wrap;gap:8px}
)";

namespace {

// A coordinate for SVG: never a non-finite number, which would drop the element.
std::string px(double v) {
  return fmt::format("{:.1f}", std::isfinite(v) ? v : 0.0);
}

// Every k-th trial, k the smallest that draws at most kMaxDrawn.
std::size_t stride(std::size_t trials) {
  return std::max<std::size_t>(1, (trials + kMaxDrawn - 1) / kMaxDrawn);
}

// The metric's scale, shared by the parallel coordinates and the slices: log when its finite
// values are positive and span more than 20x.
struct Scale {
  double lo = 0, hi = 1;
  bool log = false;
  bool any = false;
  double operator()(double v) const {  // 0 (lo) .. 1 (hi); NaN when not finite
    if (!std::isfinite(v)) return NAN;
    const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                         : (v - lo) / (hi - lo);
    return std::clamp(t, 0.0, 1.0);
  }
};

Scale metric_scale(const ImportanceTable& t) {
  Scale s;
  for (const ChartTrial& trial : t.trials)
    if (std::isfinite(trial.y)) {
      s.lo = s.any ? std::min(s.lo, trial.y) : trial.y;
      s.hi = s.any ? std::max(s.hi, trial.y) : trial.y;
      s.any = true;
    }
  s.log = s.any && s.lo > 0 && s.hi > 20 * s.lo;
  if (s.hi <= s.lo) s.hi = s.lo + 1;
  return s;
}

// Tick labels of the metric axis: lo, hi and, on a log scale, the decades between.
std::vector<std::pair<double, std::string>> metric_ticks(const Scale& s) {
  std::vector<std::pair<double, std::string>> ticks{{0, loss_text(s.lo)}, {1, loss_text(s.hi)}};
  if (s.log)
    for (double e = std::ceil(std::log10(s.lo)); e < std::log10(s.hi); ++e)
      if (const double t = s(std::pow(10, e)); t > 0.08 && t < 0.92)
        ticks.emplace_back(t, fmt::format("{:g}", std::pow(10, e)));
  return ticks;
}

const char* term_colour(const AnovaTerm& term) {
  if (term.factors.empty()) return "#d9d9d9";
  if (term.factors.size() == 1 && (term.name == "repeat" || term.name == "fold")) return "#a0a0a0";
  return term.factors.size() == 1 ? "#0072B2" : "#56B4E9";
}

void bars(std::string& out, const ImportanceTable& t) {
  std::vector<const AnovaTerm*> terms;
  for (const AnovaTerm& term : t.anova.terms)
    if (std::isfinite(term.share)) terms.push_back(&term);
  std::stable_sort(terms.begin(), terms.end(),
                   [](const AnovaTerm* a, const AnovaTerm* b) { return a->share > b->share; });
  constexpr int kLabel = 300, kBar = 340, kRow = 24;
  const int height = static_cast<int>(terms.size()) * kRow + 8;
  out += fmt::format(
      "<svg class=\"bars\" role=\"img\" aria-label=\"share of the variance by setting\" "
      "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">\n",
      kLabel + kBar + 150, height, kLabel + kBar + 150, height);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const AnovaTerm& term = *terms[i];
    const double y = static_cast<double>(i) * kRow + 4;
    const double w = std::max(1.0, term.share * kBar);
    const bool real = std::isfinite(term.p) && term.p < 0.05;
    std::string why = term.factors.empty()    ? "not explained by the settings"
                      : std::isfinite(term.p) ? fmt::format("p {}{}", p_value_text(term.p),
                                                            real ? "" : ": could be seed noise")
                                              : "";
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{}\" y=\"{}\" "
        "width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {:.1f}% of the variance, df {}, F "
        "{}</title></rect><text x=\"{}\" y=\"{}\"{}>{:.1f}% {}</text>\n",
        kLabel - 8, px(y + 15), escape_html(ImportanceTable::label(term)), kLabel, px(y), px(w),
        kRow - 6, term_colour(term), escape_html(ImportanceTable::label(term)), term.share * 100,
        term.df, std::isfinite(term.f) ? loss_text(term.f) : "n/a", px(kLabel + w + 6), px(y + 15),
        real ? " font-weight=\"bold\"" : "", term.share * 100, escape_html(why));
  }
  out += "</svg>\n";
}

// The y coordinate of a metric value in a plot from `top` to `top + h`; non-finite values sit
// just above the plot.
double metric_y(const Scale& s, double v, double top, double h) {
  const double t = s(v);
  return std::isfinite(t) ? top + h - t * h : top - 8;
}

void parallel_coordinates(std::string& out, const ImportanceTable& t, const Scale& s) {
  const std::size_t axes = t.axes.size() + 1;
  const double left = 70, top = 30, h = 230, gap = std::max(110.0, 760.0 / axes);
  const double width = left + gap * (axes - 1) + 90;
  out += fmt::format(
      "<h3>Every trial across the settings</h3>\n<svg class=\"chart\" role=\"img\" "
      "aria-label=\"parallel coordinates\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\">\n",
      px(width), px(top + h + 40));
  const std::size_t step = stride(t.trials.size());
  for (std::size_t i = 0; i < t.trials.size(); i += step) {
    const ChartTrial& trial = t.trials[i];
    std::string points;
    for (std::size_t a = 0; a < trial.x.size(); ++a)
      points += px(left + gap * a) + "," + px(top + h - trial.x[a] * h) + " ";
    points += px(left + gap * (axes - 1)) + "," + px(metric_y(s, trial.y, top, h));
    out += fmt::format("<polyline class=\"trial\" stroke=\"{}\" points=\"{}\"/>\n",
                       swatch(trial.outcome).fill, points);
  }
  const auto axis = [&](double x, const std::string& name,
                        const std::vector<std::pair<double, std::string>>& ticks) {
    out += fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>", px(x),
                       px(top), px(top + h));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", px(x),
                       px(top + h + 24), escape_html(name));
    for (const auto& [pos, label] : ticks)
      out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", px(x - 4),
                         px(top + h - pos * h + 4), escape_html(label));
    out += "\n";
  };
  for (std::size_t a = 0; a < t.axes.size(); ++a)
    axis(left + gap * a, t.axes[a].key, t.axes[a].ticks);
  axis(left + gap * (axes - 1), t.metric, metric_ticks(s));
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"start\">not finite</text>\n",
                     px(left + gap * (axes - 1) + 6), px(top - 4));
  out += "</svg>\n";
}

void slice(std::string& out, const ImportanceTable& t, std::size_t a, const Scale& s) {
  const ChartAxis& axis = t.axes[a];
  const double left = 64, top = 26, w = 190, h = 120;
  out += fmt::format(
      "<svg class=\"chart\" role=\"img\" aria-label=\"{0} against {1}\" width=\"280\" "
      "height=\"200\" viewBox=\"0 0 280 200\"><text x=\"{2}\" y=\"14\">{1}</text>",
      escape_html(t.metric), escape_html(axis.key), px(left));
  out += fmt::format(
      "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/><line class=\"axis\" "
      "x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\"/>",
      px(left), px(top), px(top + h), px(left + w));
  for (const auto& [pos, label] : metric_ticks(s))
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", px(left - 4),
                       px(top + h - pos * h + 4), escape_html(label));
  // Crowded values alternate between two lines.
  const bool crowded = axis.ticks.size() > 5;
  for (std::size_t i = 0; i < axis.ticks.size(); ++i)
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                       px(left + axis.ticks[i].first * w),
                       px(top + h + 16 + (crowded && i % 2 == 1 ? 13 : 0)),
                       escape_html(axis.ticks[i].second));
  const std::size_t step = stride(t.trials.size());
  std::map<float, std::vector<double>> at;  // finite metric values by position, for medians
  for (std::size_t i = 0; i < t.trials.size(); ++i) {
    const ChartTrial& trial = t.trials[i];
    if (std::isfinite(trial.y)) at[trial.x[a]].push_back(trial.y);
    if (i % step != 0) continue;
    out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\" fill-opacity=\".6\"/>",
                       px(left + trial.x[a] * w), px(metric_y(s, trial.y, top, h)),
                       swatch(trial.outcome).fill);
  }
  if (!axis.sampled) {
    std::string points;
    for (auto& [pos, ys] : at) {
      std::nth_element(ys.begin(), ys.begin() + ys.size() / 2, ys.end());
      points += px(left + pos * w) + "," + px(metric_y(s, ys[ys.size() / 2], top, h)) + " ";
    }
    out += fmt::format("<polyline class=\"median\" points=\"{}\"/>", points);
  }
  out += "</svg>\n";
}

}  // namespace

void importance_sections(std::string& out, const ImportanceTable* table) {
  if (!table) return;
  const ImportanceTable& t = *table;
  out += "<section id=\"importance\">\n<h2>What matters</h2>\n";
  if (!t.has_axes() || t.anova.used == 0) {
    out +=
        "<p class=\"empty\">No setting varies across these trials: nothing to compare.</p>\n"
        "</section>\n";
    return;
  }
  const std::size_t left_out = t.anova.non_finite + t.anova.pruned + t.errors;
  out += fmt::format(
      "<p class=\"explain\">How much of the variance of <code>{}</code> across {} trials each "
      "setting explains (analysis of variance, type II sums of squares{}; importance.csv has "
      "the table). <b>Bold</b>: p &lt; 0.05, more than the repeats' seed-to-seed noise "
      "explains; the residual is what no setting explains.{}</p>\n",
      escape_html(t.metric), t.anova.used,
      t.binned.empty() ? "" : "; settings drawn at random are cut into quintiles",
      left_out == 0 ? std::string()
                    : fmt::format(" {} trials without a finite value are left out.", left_out));
  bars(out, t);
  const Scale s = metric_scale(t);
  parallel_coordinates(out, t, s);
  out +=
      "<h3>Each setting on its own</h3>\n<p class=\"explain\">Each dot a trial, coloured by "
      "its outcome; the line joins the medians.</p>\n<div class=\"slices\">\n";
  for (std::size_t a = 0; a < t.axes.size(); ++a) slice(out, t, a, s);
  out += "</div>\n";
  if (stride(t.trials.size()) > 1)
    out += fmt::format(
        "<p class=\"explain\">Lines and dots: every {}th trial in trial order, to keep the page "
        "small; the shares and medians use all {}.</p>\n",
        stride(t.trials.size()), t.trials.size());
  out += "</section>\n";
}

}  // namespace results
