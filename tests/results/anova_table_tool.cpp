// The ANOVA table of a CSV file, for checking results/anova.h against another implementation
// (anova_statsmodels.py). Input: a header, then rows of factor levels (any text) and a last
// column y, comma-separated and unquoted. Output on stdout, as CSV:
//   term,sum_sq,df,mean_sq,F,p,share
// one row per term, residual last; the observation counts and the time taken go to stderr.
//
//   anova_table_tool table.csv [--block NAME]...
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "results/anova.h"

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  return cells;
}

results::AnovaData read(std::istream& in, const std::set<std::string>& blocks) {
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  results::AnovaData data;
  const std::size_t k = header.size() - 1;
  std::vector<std::map<std::string, int>> codes(k);
  data.level.resize(k);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split(line);
    if (cells.size() != header.size()) throw std::runtime_error("ragged row: " + line);
    for (std::size_t f = 0; f < k; ++f) {
      const auto [it, added] = codes[f].emplace(cells[f], static_cast<int>(codes[f].size()));
      data.level[f].push_back(it->second);
    }
    data.y.push_back(std::strtod(cells[k].c_str(), nullptr));
  }
  for (std::size_t f = 0; f < k; ++f)
    data.factors.push_back({.name = header[f],
                            .levels = static_cast<int>(codes[f].size()),
                            .block = blocks.count(header[f]) > 0});
  return data;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: anova_table_tool table.csv [--block NAME]...\n";
    return 2;
  }
  std::set<std::string> blocks;
  for (int i = 2; i + 1 < argc; i += 2)
    if (std::string(argv[i]) == "--block") blocks.insert(argv[i + 1]);
  std::ifstream file(argv[1]);
  if (!file) {
    std::cerr << "cannot read " << argv[1] << "\n";
    return 1;
  }
  try {
    const results::AnovaData data = read(file, blocks);
    const auto start = std::chrono::steady_clock::now();
    const results::AnovaTable table = results::anova(data);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("term,sum_sq,df,mean_sq,F,p,share\n");
    for (const results::AnovaTerm& t : table.terms)
      std::printf("%s,%.17g,%d,%.17g,%.17g,%.17g,%.17g\n", t.name.c_str(), t.sum_sq, t.df,
                  t.mean_sq, t.f, t.p, t.share);
    std::cerr << "used " << table.used << ", non-finite " << table.non_finite << ", seconds "
              << took.count() << "\n";
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
