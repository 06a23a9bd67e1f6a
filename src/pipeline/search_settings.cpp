#include "pase/pipeline/search_settings.hpp"

#include <stdexcept>

#include "pase/pipeline/memory_policy.hpp"

namespace pase {

StageMode parse_stage_mode(const std::string& text) {
  if (text == "auto") return StageMode::automatic;
  if (text == "none") return StageMode::none;
  if (text == "when-needed") return StageMode::when_needed;
  throw std::invalid_argument("unknown value '" + text +
                              "'; use 'when-needed' (search pipeline stages when nothing fits holding the whole "
                              "batch), 'auto' (always search pipeline stages) or 'none'");
}

const char* to_string(StageMode mode) {
  switch (mode) {
    case StageMode::automatic: return "auto";
    case StageMode::when_needed: return "when-needed";
    case StageMode::none: break;
  }
  return "none";
}

SearchSettings build_settings(const SearchRequest& request) {
  SearchSettings s;
  s.model_file = request.model_file;
  s.overrides = request.overrides;
  s.problem.procs = request.procs;
  s.problem.cluster = request.cluster;
  if (request.hardware) s.problem.hardware.emplace(*request.hardware, request.precision);
  s.problem.parallel_edges = request.parallel_edges;
  s.order = request.order;
  s.prune = request.prune;
  s.blocks = request.blocks;
  s.stages = request.stages;
  s.dp = request.dp;
  s.device_memory = request.device_memory;
  set_memory_cap(s, request.max_memory_bytes, request.ranks_on_node);
  return s;
}

}  // namespace pase
