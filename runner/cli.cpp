#include "runner/cli.h"

#include <iostream>

namespace runner {

namespace po = boost::program_options;

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
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << visible << "\n";
    return false;
  }
  return true;
}

}  // namespace runner
