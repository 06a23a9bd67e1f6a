#pragma once
// Command-line options shared by the subcommands, bound to SearchSettings.

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "pase/pipeline/search_settings.hpp"
#include "pase/report/training_cost.hpp"

namespace pase::cli {

namespace po = boost::program_options;

// Exit codes, documented in README.md.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_bad_input = 2;
inline constexpr int exit_memory_limit = 3;
// Stopped by a signal (or the test hook) after writing its checkpoint: run again with --resume.
// 75 is EX_TEMPFAIL of <sysexits.h>, "try again later".
inline constexpr int exit_interrupted = 75;

// --procs, --flops, --bw, --set, --order, --parallel-edges, --max-memory.
po::options_description problem_options();
// The command line's SearchSettings: its SearchRequest, built by build_settings (the memory cap by
// the one policy, memory_policy.hpp, for `ranks_on_node` ranks sharing the node).
SearchSettings settings_from(const po::variables_map& vm, const std::string& model_file, int ranks_on_node);

// --tokens, --samples, --steps and --price-per-device-hour (pase report, pase export).
po::options_description training_options();
// Throws po::error when more than one of --tokens, --samples and --steps is given.
TrainingAmount training_amount_from(const po::variables_map& vm);
DevicePrices device_prices_from(const po::variables_map& vm);

// Parses argv (after the subcommand) with one positional MODEL argument; returns false after
// printing help when --help was given.
// `argument` names the positional argument in the error when it is missing.
bool parse(int argc, char** argv, const po::options_description& options, const std::string& usage,
           po::variables_map& vm, bool takes_model = true, const std::string& argument = "MODEL file");

}  // namespace pase::cli
