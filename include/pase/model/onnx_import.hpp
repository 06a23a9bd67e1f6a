#pragma once
// ONNX models (as torch.onnx.export writes them, opsets 13 to 17, weights present or stripped) read
// with libonnx as pase model documents (inputs/README.md, "ONNX"). Element-wise and activation ops are
// folded into the layer producing their input (pointwise_ops), shape-only ops on constants vanish and
// views of a layer's output become edges where the consumer can read them as they are. Errors are one
// line naming the file, the node and the fix, thrown as std::invalid_argument.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pase {

struct OnnxImport {
  nlohmann::ordered_json document;  // a pase-model v1 document, with "parameters" and "forward_macs_per_sample"
  std::int64_t parameters = 0;      // float initializers, without BatchNormalization's running statistics
  double forward_macs_per_sample = 0;  // Conv, Gemm, MatMul and Einsum multiply-accumulates / batch
  std::int64_t onnx_nodes = 0;      // nodes of the graph before folding
};

bool is_onnx_path(const std::string& path);

// `overrides` may hold batch=N, the size of a dynamic (named) batch dimension (default 1); others are
// left to the model loader.
OnnxImport import_onnx(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace pase
