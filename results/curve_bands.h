// The loss curves of report.html, aggregated while curves.csv streams past: for each line (one
// table cell: a row value and a column value) and each sampled epoch, the median, minimum and
// maximum of the train and test losses over the line's trials. Memory is bounded by lines x
// sampled epochs x kSample, never by the number of trials' rows: at most kMaxPoints epochs are
// sampled per line, and beyond kSample values the median is that of a fixed-seed uniform
// sample (min and max stay exact). Non-finite losses never enter a statistic.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "results/curves.h"

namespace results {

struct BandPoint {
  double epoch = 0;  // mean epoch of the rows that fell into this sample
  double median = 0, low = 0, high = 0;
};

struct CurveLine {
  std::string label;                   // the column value
  std::vector<BandPoint> train, test;  // finite statistics only, in epoch order
  bool cut = false;  // the line stops at its last point: most of its trials diverged there
  std::uint64_t trials = 0, diverged = 0;
};

struct CurvePanel {
  std::string title;  // the row value
  std::vector<CurveLine> lines;
};

class CurveBands {
 public:
  static constexpr int kMaxPoints = 120;
  static constexpr std::size_t kSample = 64;

  // `max_epoch`: the largest epoch any curve reaches (sets the sampling step).
  CurveBands(int panels, int lines, int max_epoch);

  // Registers a trial before its rows: its panel and line, and the epoch it diverged at
  // (nothing when it did not). Trials never registered are ignored.
  void add_trial(const std::string& trial_id, int panel, int line, std::optional<int> diverged_at);
  // One row of curves.csv. Rows of a trial come together, in epoch order.
  void add(const CurvePoint& point);
  // The rows of one trial, as add() of each in turn.
  void add(const std::string& trial_id, std::span<const CurveSample> rows);

  int step() const { return step_; }
  // The panels with their lines; `titles` and `labels` name panels and lines.
  std::vector<CurvePanel> panels(const std::vector<std::string>& titles,
                                 const std::vector<std::string>& labels) const;

 private:
  struct Stat {
    std::uint64_t count = 0;  // finite values seen
    double low = 0, high = 0;
    std::vector<double> sample;
    // `room`: the values it will likely hold (its line's trials so far, at most kSample): the
    // sample is made that size at once instead of growing value by value.
    void add(double value, std::uint64_t salt, std::uint64_t room);
  };
  // One sampled epoch of a line: its rows' mean epoch, its statistics, its divergences.
  struct Bucket {
    double epoch_sum = 0;
    std::uint64_t rows = 0;
    std::uint64_t diverged = 0;  // trials that diverged here
    Stat train, test;
  };
  struct Line {
    std::vector<Bucket> buckets;  // per sampled epoch, made when the line first needs them
    std::uint64_t trials = 0;
  };
  struct Member {
    int panel, line;
  };

  int bucket_of(int epoch) const;
  Bucket& bucket(Line& line, int b);
  void add_row(const Member& member, int epoch, double train_loss, double test_loss);

  int panels_, lines_, step_, buckets_, max_epoch_;
  std::vector<Line> cells_;  // panel * lines + line
  std::unordered_map<std::string, Member> members_;
  std::string current_;  // the trial whose rows are streaming
  int last_bucket_ = -1;
};

}  // namespace results
