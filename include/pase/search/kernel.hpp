#pragma once
// The inner loop of the DP: for every assignment of the dependent set, the minimum over the
// eliminated vertex's configurations of the sum of its factors, and where that minimum is.
// Every factor is contiguous over the eliminated vertex's configurations; factors that do not
// depend on the innermost loop vertex are summed once per outer index (partial sums per level).

#include <cstdint>
#include <vector>

namespace pase {

struct KernelFactor {
  const double* data = nullptr;        // data[offset + c] for configuration c of the eliminated vertex
  std::vector<std::uint64_t> strides;  // per loop level; 0 where the factor does not depend on it
  int level = -1;                      // deepest loop level it depends on; -1: none
  std::uint64_t origin = 0;            // data holds the entries from this offset on (a block of a table)
};

struct KernelInput {
  std::size_t configs = 0;                 // configuration count of the eliminated vertex
  const double* vertex_costs = nullptr;    // its layer costs, one per configuration
  std::vector<std::size_t> extents;        // configuration count per loop level, outermost first
  std::vector<std::uint64_t> out_strides;  // per loop level, into the output table
  std::vector<KernelFactor> factors;
};

// Computes the output entries of the flat loop indices [begin, end) (row-major over the loop
// levels). Entry at table offset o goes to out_costs[o - out_origin] and out_argmin[o - out_origin].
// The result of each entry does not depend on begin and end.
template <class Index>
void run_kernel(const KernelInput& input, std::uint64_t begin, std::uint64_t end, std::uint64_t out_origin,
                double* out_costs, Index* out_argmin);

}  // namespace pase
