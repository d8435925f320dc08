#include "runner/cli.h"

#include "nn/input_error.h"

#include <algorithm>
#include <cstdint>
#include <iostream>

namespace runner {

namespace po = boost::program_options;

namespace {

// Boost.Program_options reads "-5" into an unsigned option as 2^64 - 5 (it uses the stream
// extraction, which wraps), so `--max-trials -5` would mean "no limit": refuse such values.
void refuse_negative_unsigned(const po::parsed_options& parsed,
                              const po::options_description& all) {
  for (const po::option& option : parsed.options) {
    const po::option_description* description = all.find_nothrow(option.string_key, false);
    if (!description) continue;
    const auto* semantic = description->semantic().get();
    const bool is_unsigned = dynamic_cast<const po::typed_value<std::uint64_t>*>(semantic) ||
                             dynamic_cast<const po::typed_value<unsigned>*>(semantic);
    if (!is_unsigned) continue;
    for (const std::string& value : option.value) {
      const auto first = value.find_first_not_of(" \t");
      if (first != std::string::npos && value[first] == '-')
        throw po::error("--" + option.string_key + " must be a whole number >= 0, got " +
                        nn::quote_input(value));
    }
  }
}

// Each option's tokens are consecutive arguments, in order: counting them finds where each value
// of the `many` positional stands (messages about it name `<argument N>`).
void record_positions(const po::parsed_options& parsed,
                      const std::vector<Positional>& positionals) {
  for (const Positional& p : positionals) {
    if (!p.positions) continue;
    int position = 1;
    for (const po::option& option : parsed.options) {
      const int tokens = static_cast<int>(std::max<std::size_t>(1, option.original_tokens.size()));
      // `--set K=V` (the name as an option) gives the value in its last token.
      if (option.string_key == p.name) p.positions->push_back(position + tokens - 1);
      position += tokens;
    }
  }
}

}  // namespace

bool parse_command_line(const Args& args, const po::options_description& visible,
                        const std::vector<Positional>& positionals, po::variables_map& vm) {
  po::options_description hidden;
  po::positional_options_description positional;
  for (const Positional& p : positionals) {
    if (p.many) {
      hidden.add_options()(p.name, po::value(p.many));
      positional.add(p.name, -1);
    } else {
      hidden.add_options()(p.name, po::value(p.one));
      positional.add(p.name, 1);
    }
  }
  po::options_description all;
  all.add(visible).add(hidden);
  const po::parsed_options parsed =
      po::command_line_parser(args).options(all).positional(positional).run();
  refuse_negative_unsigned(parsed, all);
  record_positions(parsed, positionals);
  po::store(parsed, vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << visible << "\n";
    return false;
  }
  return true;
}

std::vector<sweeps::SpecOverride> spec_overrides(const std::vector<std::string>& texts,
                                                 const std::vector<int>& positions) {
  std::vector<sweeps::SpecOverride> out;
  for (std::size_t i = 0; i < texts.size(); ++i)
    out.push_back(sweeps::parse_spec_override(texts[i], i < positions.size() ? positions[i] : 0));
  return out;
}

}  // namespace runner
