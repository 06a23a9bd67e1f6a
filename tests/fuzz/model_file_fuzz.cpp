// libFuzzer target: a model file (pase-model JSON or a Hugging Face config.json) through load_model,
// then every layer's configurations on 64 devices. A bad file must end in std::invalid_argument (the
// CLI's exit 2); any other exception, a crash, a hang or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "fuzz_support.hpp"
#include "pase/model/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pase;
  // A base the input may `extend`.
  static const bool based = [] {
    fuzz::write_text("base.json", R"({"format": "pase-model", "version": 1, "name": "base", "params": {"n": 8},
      "inputs": {"x": ["n", "n"]}, "layers": [{"name": "t", "op": "Transpose", "in": ["x"], "perm": [1, 0]}]})");
    return true;
  }();
  (void)based;
  const std::string path = fuzz::write_input("model.json", data, size);
  try {
    const Network net = load_model(path, {});
    for (const auto& layer : net.layers) (void)layer.model->configs(64, net.cutoff);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
