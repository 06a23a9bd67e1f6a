#pragma once
// Command-line options shared by the subcommands, bound to SearchSettings.

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "pase/report/search_report.hpp"

namespace pase::cli {

namespace po = boost::program_options;

// Exit codes, documented in README.md.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_bad_input = 2;
inline constexpr int exit_memory_limit = 3;

// --procs, --flops, --bw, --set, --order, --parallel-edges, --max-memory.
po::options_description problem_options();
SearchSettings settings_from(const po::variables_map& vm, const std::string& model_file);

// Parses argv (after the subcommand) with one positional MODEL argument; returns false after
// printing help when --help was given.
bool parse(int argc, char** argv, const po::options_description& options, const std::string& usage,
           po::variables_map& vm, bool takes_model = true);

}  // namespace pase::cli
