#include "pase/pipeline/search_settings.hpp"

#include "pase/pipeline/memory_policy.hpp"

namespace pase {

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
  s.dp = request.dp;
  s.device_memory = request.device_memory;
  set_memory_cap(s, request.max_memory_bytes, request.ranks_on_node);
  return s;
}

}  // namespace pase
