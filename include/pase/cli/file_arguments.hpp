#pragma once
// Parsing a subcommand whose positional arguments are files (a sweep spec, results files).

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace pase::cli {

// Parses argv (after the subcommand); the positional arguments land in the returned vector. Returns
// false after printing help when --help was given. Throws po::error naming `what` (e.g. "SPEC")
// unless there are between `at_least` and `at_most` of them.
bool parse_with_files(int argc, char** argv, const boost::program_options::options_description& options,
                      const std::string& usage, boost::program_options::variables_map& vm, const std::string& what,
                      std::size_t at_least, std::size_t at_most, std::vector<std::string>& files);

}  // namespace pase::cli
