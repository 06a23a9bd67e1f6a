#include "pase/checkpoint/checkpoint_summary.hpp"

#include <cstdio>
#include <ostream>

#include "pase/bytes.hpp"
#include "pase/pipeline/search_pipeline.hpp"

namespace pase {

namespace {

std::string percent(std::uint64_t part, std::uint64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%",
                whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 100.0);
  return text;
}

std::string field(const CheckpointHeader& h, const std::string& name) {
  for (const auto& f : h.fingerprint.fields)
    if (f.name == name) return f.value;
  return "?";
}

}  // namespace

void print_checkpoint_summary(std::ostream& out, const CheckpointReader& reader, const std::string& invalid) {
  const CheckpointHeader& h = reader.header();
  std::uint64_t argmins = 0, argmin_bytes = 0, costs = 0, cost_bytes = 0;
  for (const auto& t : h.tables) {
    const std::uint64_t bytes = t.entries * h5::element_bytes(t.element);
    (t.costs ? costs : argmins) += 1;
    (t.costs ? cost_bytes : argmin_bytes) += bytes;
  }
  const std::string params = field(h, "parameters");
  out << "checkpoint  " << reader.path() << " (" << format_bytes(reader.file_bytes()) << ", format " << h.format_version
      << ", written by " << h.writer << ")\n"
      << "model       " << field(h, "model") << " (" << h.model_file << ", content " << field(h, "model_content")
      << ")\n"
      << "params      " << (params.empty() ? "(none)" : params) << "\n"
      << "cluster     " << field(h, "procs") << " devices, " << field(h, "flops_tflops") << " TFLOP/s, "
      << field(h, "bw_gbytes") << " GB/s\n"
      << "search      order " << field(h, "order") << ", parallel edges " << field(h, "parallel_edges") << ", cutoff "
      << field(h, "cutoff") << ", cost model version " << field(h, "cost_model_version") << "\n"
      << "progress    " << h.steps_done << " of " << h.steps_total << " vertices eliminated ("
      << percent(h.steps_done, h.steps_total) << "), " << h.cells_done << " of " << h.cells_total << " DP cells ("
      << percent(h.cells_done, h.cells_total) << ")" << (h.last_vertex.empty() ? "" : "; last: " + h.last_vertex)
      << "\n"
      << "tables      " << argmins << " back-substitution (" << format_bytes(argmin_bytes) << "), " << costs
      << " cost tables waiting for their consumer (" << format_bytes(cost_bytes) << ")\n"
      << "valid       "
      << (invalid.empty() ? "yes (header and " + std::to_string(h.tables.size()) + " table checksums verified)"
                          : "no: " + invalid)
      << "\n";
}

}  // namespace pase
