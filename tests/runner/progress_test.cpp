// The progress line of a run on a terminal.
#include "runner/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

namespace runner {
namespace {

// The last state drawn: the text after the last carriage return, without the erase-to-end.
std::string last_line(const std::string& out) {
  std::string line = out.substr(out.rfind('\r') + 1);
  if (const auto erase = line.find("\x1b[K"); erase != std::string::npos) line.erase(erase, 3);
  return line;
}

TEST(Progress, ShowsTrialsDoneOfTotalAndTheOutcomesInVocabularyOrder) {
  std::ostringstream out;
  Progress progress(10, 0, out);
  progress.add(results::Outcome::diverged);
  progress.add(results::Outcome::learned);
  progress.add(results::Outcome::diverged);
  progress.finish();
  const std::string line = last_line(out.str());
  EXPECT_EQ(line.substr(0, 7), "[3/10] ") << line;
  EXPECT_NE(line.find(" trials/s  ETA "), std::string::npos) << line;
  EXPECT_NE(line.find("  learned 1  diverged 2\n"), std::string::npos) << line;
  EXPECT_EQ(line.back(), '\n');
}

TEST(Progress, CountsResumedTrialsAsDone) {
  std::ostringstream out;
  Progress progress(8, 5, out);
  progress.add(results::Outcome::stalled);
  progress.finish();
  const std::string line = last_line(out.str());
  EXPECT_EQ(line.substr(0, 6), "[6/8] ") << line;
  // Only this run's trial is counted by outcome: the resumed ones were counted before.
  EXPECT_NE(line.find("  stalled 1\n"), std::string::npos) << line;
}

TEST(Progress, AFinishedRunHasNoTimeLeft) {
  std::ostringstream out;
  Progress progress(2, 0, out);
  progress.add(results::Outcome::learned);
  progress.add(results::Outcome::learned);
  progress.finish();
  EXPECT_NE(last_line(out.str()).find("ETA 0:00:00"), std::string::npos) << out.str();
}

// At most five redraws a second: a burst of trials redraws once, not once per trial.
TEST(Progress, ABurstOfTrialsRedrawsTheLineOnce) {
  std::ostringstream out;
  Progress progress(1000, 0, out);
  for (int i = 0; i < 1000; ++i) progress.add(results::Outcome::learned);
  const std::string text = out.str();
  EXPECT_LE(std::count(text.begin(), text.end(), '\r'), 2) << text.size();
  EXPECT_GE(std::count(text.begin(), text.end(), '\r'), 1);
}

}  // namespace
}  // namespace runner
