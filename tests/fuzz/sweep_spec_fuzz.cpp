// libFuzzer target: a sweep spec (YAML or JSON) through load_sweep_spec and the point enumeration, with
// a small model and a preset catalogue beside it. Bad specs end in std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "fuzz_support.hpp"
#include "pase/sweep/sweep_points.hpp"
#include "pase/sweep/sweep_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pase;
  static const bool ready = [] {
    fuzz::write_text("mlp.json", R"({"format": "pase-model", "version": 1, "name": "mlp",
      "params": {"batch": 32, "hidden": 64}, "inputs": {"x": ["batch", "hidden"]},
      "layers": [{"name": "fc", "op": "FC", "in": ["x"], "units": "hidden"}]})");
    fuzz::write_text("clusters.json", R"({"format": "pase-clusters", "version": 1,
      "devices": {"slow": {"product": "test device", "fp32_tflops": 5.0, "fp16_tflops": 20.0}},
      "clusters": {"slow-node": {"device": "slow", "precision": "fp32", "bw_gbytes": 10.0},
                   "fast-node": {"device": "slow", "precision": "fp16", "bw_gbytes": 300.0}}})");
    return true;
  }();
  (void)ready;
  const std::string path = fuzz::write_input("spec.yaml", data, size);
  try {
    const SweepSpec spec = load_sweep_spec(path, (fuzz::work_dir() / "clusters.json").string());
    const SweepPoints points(spec);  // points are computed by index: large sweeps cost nothing here
    for (std::uint64_t i = 0; i < points.size() && i < 64; ++i) (void)search_settings(spec, points.at(i));
    if (points.size() > 0) (void)points.group_of(points.size() - 1);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
