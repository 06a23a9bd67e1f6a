#pragma once
// What a checkpoint's DP tables depend on, as named fields: the model file's content and name,
// the parameters after --set, the cluster, the cost-model version, the ordering, and a digest of
// the problem's cost tables and the plan. A resume compares field by field and names what differs.

#include <string>
#include <vector>

#include "pase/pipeline/search_pipeline.hpp"

namespace pase {

struct FingerprintField {
  std::string name;
  std::string value;
};

struct SearchFingerprint {
  std::vector<FingerprintField> fields;  // in the order of fingerprint_field_names()
};

// The field names, in order: model, model_content, parameters, cutoff, procs, flops_tflops,
// bw_gbytes, parallel_edges, order, cost_model_version, problem_digest.
const std::vector<std::string>& fingerprint_field_names();

// Every rank computes the same fingerprint. `planned` is plan_search(settings).
SearchFingerprint make_fingerprint(const SearchSettings& settings, const SearchRun& planned);

// "" when equal; else every differing field as "NAME: A in the checkpoint, B now", joined by "; ".
// The problem digest is named only when every other field agrees (it then means the cost model
// computed other costs from the same inputs); for another model, its content, parameters and
// cutoff are not named.
std::string describe_differences(const SearchFingerprint& stored, const SearchFingerprint& current);

}  // namespace pase
