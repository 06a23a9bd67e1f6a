#pragma once
// `pase search --stages auto` (README.md, "Pipeline stages in the search"): the stage search instead
// of the plain one, reported as `pase evaluate` reports a pipeline.

#include "pase/cli/options.hpp"
#include "pase/pipeline/search_settings.hpp"

namespace pase::cli {

// "auto" or "none"; throws std::invalid_argument naming --stages otherwise.
bool stages_auto(const po::variables_map& vm);
// Runs the stage search, prints the report (or the total line with --quiet) and writes --output.
// Throws MemoryLimitExceeded when no pipeline fits the device memory.
int search_stages_command(const SearchSettings& settings, const po::variables_map& vm);

}  // namespace pase::cli
