#pragma once
// `pase search --stages` (README.md, "Pipeline stages in the search"): the stage search instead of the
// plain one (auto), or after it when nothing fits the device memory holding the whole batch (the
// default), reported as `pase evaluate` reports a pipeline.

#include "pase/cli/options.hpp"
#include "pase/pipeline/search_settings.hpp"
#include "pase/report/device_memory.hpp"

namespace pase::cli {

// Whether the stage search can run on these settings: the hardware cost model and a model parameter
// 'batch' to cut into micro-batches.
bool stage_search_applies(const SearchSettings& settings);
// Runs the stage search, prints the report (or the step time line with --quiet) and writes --output.
// `whole_batch`: the plain search's device-memory result when nothing fitted it (the default
// --stages), whose verdict the report and the JSON carry; null for --stages auto. Throws
// MemoryLimitExceeded when no pipeline fits the device memory either.
int search_stages_command(const SearchSettings& settings, const po::variables_map& vm,
                          const DeviceMemoryResult* whole_batch = nullptr);

}  // namespace pase::cli
