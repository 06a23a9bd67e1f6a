#include "pase/report/report_text.hpp"

#include <cstdio>
#include <ostream>

namespace pase {

std::string fixed(double x, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, x);
  return text;
}

std::string scientific(double x, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*e", digits, x);
  return text;
}

std::string gb(double bytes) { return fixed(bytes / 1e9, 2) + " GB"; }

std::string join(const Config& c) {
  std::string s;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(c[i]);
  }
  return s;
}

const char* precision_name(cluster::Precision p) {
  return p == cluster::Precision::kFp32 ? "fp32" : p == cluster::Precision::kBf16 ? "bf16" : "fp16";
}

std::string params_line(const Parameters& params) {
  std::string s;
  for (const auto& [name, value] : params) s += (s.empty() ? "" : " ") + name + "=" + std::to_string(value);
  return s.empty() ? "(none)" : s;
}

void print_model_and_cluster(std::ostream& out, const std::string& model, const std::string& file,
                             const SearchSettings& s, const Parameters& params) {
  const Cluster& c = s.problem.cluster;
  out << "model      " << model << " (" << file << ")\n"
      << "params     " << params_line(params) << "\n";
  if (s.problem.hardware) {
    const cluster::HardwareCluster& hw = s.problem.hardware->cluster();
    const std::int64_t per_node = hw.devices_per_node;
    out << "cluster    " << hw.name << ": " << s.problem.procs << " devices on " << (s.problem.procs + per_node - 1) / per_node
        << " node(s) of " << per_node << ", " << precision_name(s.problem.hardware->precision()) << "; "
        << "cost model hardware (seconds)\n";
  } else {
    out << "cluster    " << s.problem.procs << " devices, " << c.flops_tflops << " TFLOP/s, " << c.bw_gbytes
        << " GB/s (r = " << c.flop_per_word() << " FLOP per word)\n";
  }
}

std::string memory_text(const MemoryBreakdown& m) {
  return "weights " + gb(m.weights) + ", gradients " + gb(m.gradients) + ", optimizer " + gb(m.optimizer) +
         ", activations " + gb(m.activations) + ", buffers " + gb(m.buffers) + ", reserve " + gb(m.reserve);
}

}  // namespace pase
