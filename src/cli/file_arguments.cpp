#include "pase/cli/file_arguments.hpp"

#include <iostream>

namespace pase::cli {

namespace po = boost::program_options;

bool parse_with_files(int argc, char** argv, const po::options_description& options, const std::string& usage,
                      po::variables_map& vm, const std::string& what, std::size_t at_least, std::size_t at_most,
                      std::vector<std::string>& files) {
  po::options_description all;
  all.add(options);
  all.add_options()("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("files", po::value<std::vector<std::string>>(), "files");
  po::options_description everything;
  everything.add(all).add(hidden);
  po::positional_options_description positional;
  positional.add("files", -1);
  po::store(po::command_line_parser(argc, argv).options(everything).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << usage << "\n" << all << "\n";
    return false;
  }
  po::notify(vm);
  files = vm.count("files") ? vm["files"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (files.size() < at_least)
    throw po::error("missing the " + what + " argument (see --help)");
  if (files.size() > at_most)
    throw po::error("too many arguments: expected " + (at_most == 1 ? "one " + what : what + "...") + ", got '" +
                    files.back() + "' too (see --help)");
  return true;
}

}  // namespace pase::cli
