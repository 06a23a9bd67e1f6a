// libFuzzer target: an ONNX file through load_model (libonnx's parser, ONNX shape inference and the
// import), then every layer's configurations on 64 devices. A bad file must end in
// std::invalid_argument (the CLI's exit 2); any other exception, a crash, a hang or a sanitizer
// report is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "fuzz_support.hpp"
#include "pase/model/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pase;
  const std::string path = fuzz::write_input("model.onnx", data, size);
  try {
    const Network net = load_model(path, {});
    for (const auto& layer : net.layers) (void)layer.model->configs(64, net.cutoff);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
