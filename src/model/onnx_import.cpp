#include "pase/model/onnx_import.hpp"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "pase/cost/operator.hpp"

namespace pase {

namespace {

using Json = nlohmann::ordered_json;
using Dims = std::vector<std::int64_t>;

// What an ONNX tensor is to pase: a graph input, a layer's output, a constant (weights, shapes, masks:
// no vertex, no edge), or a view (a shape-only op) of another tensor, made a layer only if a consumer
// needs exactly that shape.
struct Value {
  enum class Kind { kInput, kLayer, kConst, kView } kind = Kind::kConst;
  std::string ref;        // pase tensor reference (kInput, kLayer)
  int layer = -1;         // index in layers_ of the producer (kLayer, and a view's source)
  Dims shape;             // the ONNX shape
  const onnx::NodeProto* node = nullptr;  // kView: the shape-only op
  std::string source;     // kView: its input tensor
  Dims pads;              // kView of a Pad: the added [height, width]
  bool norm_statistic = false;  // the mean that starts an opset-13 LayerNorm pattern (a Norm layer)
};

Value make_value(Value::Kind kind, std::string ref, int layer, Dims shape) {
  Value v;
  v.kind = kind;
  v.ref = std::move(ref);
  v.layer = layer;
  v.shape = std::move(shape);
  return v;
}

const std::set<std::string> kPointwise = {"Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Relu", "Clip",
                                          "Tanh", "Erf", "Sigmoid", "Gelu", "Where", "Cast"};
const std::set<std::string> kViews = {"Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Pad"};
const std::set<std::string> kConstOnly = {"Constant", "Shape", "ConstantOfShape", "Slice", "Gather", "Concat",
                                          "Range", "Equal", "Expand", "Cast"};
// Layer kinds that take pointwise_ops (inputs/README.md).
const std::set<std::string> kFusing = {"Conv", "FC", "Einsum", "MatMul", "Elementwise"};

std::int64_t product(const Dims& d) {
  std::int64_t p = 1;
  for (auto x : d) p *= x;
  return p;
}

class Importer {
 public:
  Importer(std::string path, const std::vector<std::string>& overrides) : path_(std::move(path)) {
    for (const auto& o : overrides)
      if (o.rfind("batch=", 0) == 0) {
        try {
          batch_ = std::stoll(o.substr(6));
        } catch (const std::exception&) {
          batch_ = 0;
        }
        if (batch_ < 1) fail("--set " + o + ": the batch must be a positive integer");
        batch_given_ = true;
      }
  }

  OnnxImport run() {
    read();
    OnnxImport out;
    out.onnx_nodes = model_.graph().node_size();
    collect_shapes();
    for (const auto& node : model_.graph().node())
      for (const auto& i : node.input()) ++uses_[i];
    for (const auto& o : model_.graph().output()) ++uses_[o.name()];
    for (const auto& node : model_.graph().node()) add(node);
    out.parameters = parameters_;
    out.forward_macs_per_sample = macs_ / static_cast<double>(std::max<std::int64_t>(batch_size_, 1));
    Json doc;
    doc["format"] = "pase-model";
    doc["version"] = 1;
    doc["name"] = stem();  // torch names every graph torch_jit or main_graph
    doc["description"] = "Imported from the ONNX file " + path_ + " (" + std::to_string(out.onnx_nodes) +
                         " nodes, opset " + std::to_string(opset_) + ")";
    doc["parameters"] = out.parameters;
    doc["forward_macs_per_sample"] = out.forward_macs_per_sample;
    doc["params"] = Json{{"batch", batch_size_}};
    doc["cutoff"] = 1;
    doc["inputs"] = inputs_;
    doc["layers"] = layers_;
    out.document = std::move(doc);
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw std::invalid_argument(path_ + ": " + what); }
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& what) const {
    fail("node '" + n.name() + "' (" + n.op_type() + "): " + what);
  }

  std::string stem() const {
    const auto slash = path_.find_last_of('/');
    std::string s = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    return s.substr(0, s.rfind('.'));
  }

  void read() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) fail("cannot open the ONNX file (does it exist?)");
    if (!model_.ParseFromIstream(&in) || model_.graph().node_size() == 0)
      fail("not an ONNX model (a truncated file, or not a protobuf ModelProto); export it again with torch.onnx.export");
    for (const auto& o : model_.opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
    if (opset_ < 13 || opset_ > 17)
      fail("opset " + std::to_string(opset_) + " is outside 13..17; export with opset_version between 13 and 17");
    // A dynamic batch (a named first dimension of a graph input) becomes --set batch=N (default 1).
    std::set<std::string> initializers;
    for (const auto& t : model_.graph().initializer()) initializers.insert(t.name());
    for (auto& input : *model_.mutable_graph()->mutable_input()) {
      if (initializers.count(input.name()) || !input.type().has_tensor_type()) continue;
      auto* shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
      for (int i = 0; i < shape->dim_size(); ++i) {
        auto* d = shape->mutable_dim(i);
        if (d->has_dim_value()) continue;
        if (i != 0)
          fail("input '" + input.name() + "': dimension " + std::to_string(i) + " (" + d->dim_param() +
               ") is dynamic; export with a static shape (only the batch, dimension 0, may be dynamic)");
        d->set_dim_value(batch_);
        dynamic_batch_ = true;
      }
    }
    // Each node against its operator's schema (inputs, outputs, attributes), before shape inference and the
    // import index into them; an operator without a schema is refused later as unsupported. Each tensor is
    // assigned once (a node writing its own input made the import recurse without end).
    std::set<std::string> defined;
    for (const auto& v : model_.graph().input()) defined.insert(v.name());
    for (const auto& t : model_.graph().initializer()) defined.insert(t.name());
    for (const auto& n : model_.graph().node()) {
      for (const auto& o : n.output())
        if (!o.empty() && !defined.insert(o).second)
          fail(n, "output '" + o + "' is already a graph input, an initializer or an earlier node's output; ONNX "
                  "assigns each tensor once: export the model again");
      const auto* schema = onnx::OpSchemaRegistry::Schema(n.op_type(), static_cast<int>(opset_), n.domain());
      if (!schema) continue;
      try {
        schema->Verify(n);
      } catch (const std::exception& e) {
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        fail(n, "not a valid ONNX node: " + what + "; export the model again");
      }
    }
    model_.mutable_graph()->clear_value_info();
    // ONNX 1.12 infers an Einsum's rank but not its dimensions: give those and infer again.
    for (int round = 0; round <= model_.graph().node_size(); ++round) {
      try {
        onnx::ShapeInferenceOptions options{true, 1, true};
        onnx::shape_inference::InferShapes(model_, onnx::OpSchemaRegistry::Instance(), options);
      } catch (const std::exception& e) {
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        fail("ONNX shape inference failed: " + what + "; export with static input shapes");
      }
      shapes_.clear();
      collect_known_shapes();
      if (!add_einsum_shapes()) break;
    }
  }

  void collect_known_shapes() {
    const auto& g = model_.graph();
    for (const auto& v : g.input()) shape_of(v);  // first: a corrupt shape is named where it starts
    for (const auto& v : g.value_info()) shape_of(v);
    for (const auto& v : g.output()) shape_of(v);
    for (const auto& t : g.initializer()) shapes_[t.name()] = checked_shape(t.name(), Dims(t.dims().begin(), t.dims().end()));
  }

  // A shape whose element count does not fit in 63 bits (or has a negative dimension) is a corrupt file.
  Dims checked_shape(const std::string& tensor, Dims d) const {
    std::int64_t elements = 1;
    for (auto x : d) {
      if (x < 0 || (x > 0 && elements > std::numeric_limits<std::int64_t>::max() / x))
        fail("tensor '" + tensor + "': a dimension is negative or the shape has more than 2^63 elements; the file is "
             "corrupt, export it again");
      elements *= x;
    }
    return d;
  }

  // Adds the output shape of every Einsum whose inputs have static shapes and output has none; true if any.
  bool add_einsum_shapes() {
    bool added = false;
    for (const auto& n : model_.graph().node()) {
      if (n.op_type() != "Einsum" || n.input_size() != 2 || shapes_.count(n.output(0))) continue;
      if (!shapes_.count(n.input(0)) || !shapes_.count(n.input(1))) continue;
      const std::string eq = equation(n);
      const auto arrow = eq.find("->"), comma = eq.find(',');
      if (arrow == std::string::npos || comma == std::string::npos) continue;
      std::map<char, std::int64_t> size;
      const std::string terms[2] = {eq.substr(0, comma), eq.substr(comma + 1, arrow - comma - 1)};
      bool ok = true;
      for (int t = 0; t < 2; ++t) {
        const Dims& s = shapes_.at(n.input(t));
        if (s.size() != terms[t].size()) ok = false;
        for (std::size_t i = 0; ok && i < s.size(); ++i) size[terms[t][i]] = std::max(size[terms[t][i]], s[i]);
      }
      if (!ok) continue;
      auto* info = model_.mutable_graph()->add_value_info();
      info->set_name(n.output(0));
      auto* tensor = info->mutable_type()->mutable_tensor_type();
      tensor->set_elem_type(onnx::TensorProto::FLOAT);
      for (char c : eq.substr(arrow + 2)) tensor->mutable_shape()->add_dim()->set_dim_value(size[c]);
      added = true;
    }
    return added;
  }

  std::string equation(const onnx::NodeProto& n) const {
    std::string eq;
    for (char c : attr_string(n, "equation"))
      if (c != ' ') eq += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return eq;
  }

  void shape_of(const onnx::ValueInfoProto& v) {
    if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
    Dims d;
    for (const auto& dim : v.type().tensor_type().shape().dim()) {
      if (!dim.has_dim_value()) return;
      d.push_back(dim.dim_value());
    }
    shapes_[v.name()] = checked_shape(v.name(), std::move(d));
  }

  void collect_shapes() {
    const auto& g = model_.graph();
    std::set<std::string> running_stats;  // BatchNormalization's mean and variance: buffers, not parameters
    for (const auto& n : g.node())
      if (n.op_type() == "BatchNormalization")
        for (int i = 3; i < n.input_size() && i < 5; ++i) running_stats.insert(n.input(i));
    for (const auto& t : g.initializer()) {
      Dims d = checked_shape(t.name(), Dims(t.dims().begin(), t.dims().end()));
      shapes_[t.name()] = d;
      values_[t.name()] = make_value(Value::Kind::kConst, "", -1, d);
      const bool is_float = t.data_type() == onnx::TensorProto::FLOAT || t.data_type() == onnx::TensorProto::FLOAT16 ||
                            t.data_type() == onnx::TensorProto::DOUBLE || t.data_type() == onnx::TensorProto::BFLOAT16;
      if (!is_float || running_stats.count(t.name())) continue;
      if (product(d) > std::numeric_limits<std::int64_t>::max() - parameters_)
        fail("initializer '" + t.name() + "': the parameters add up to more than 2^63; the file is corrupt, export it again");
      parameters_ += product(d);
    }
    for (const auto& v : g.input()) {
      if (values_.count(v.name())) continue;
      const auto it = shapes_.find(v.name());
      if (it == shapes_.end()) fail("input '" + v.name() + "': no static shape; export with a static input shape");
      values_[v.name()] = make_value(Value::Kind::kInput, v.name(), -1, it->second);
      inputs_[v.name()] = it->second;
      if (batch_size_ == 0 && !it->second.empty()) batch_size_ = it->second[0];
    }
    if (batch_given_ && !dynamic_batch_ && batch_ != batch_size_)
      fail("--set batch=" + std::to_string(batch_) + ": the inputs have a static batch of " +
           std::to_string(batch_size_) + "; export with dynamic_axes={input: {0: 'batch'}} to choose the batch");
  }

  const Dims& shape(const onnx::NodeProto& n, const std::string& tensor) const {
    const auto it = shapes_.find(tensor);
    if (it == shapes_.end())
      fail(n, "ONNX shape inference left tensor '" + tensor + "' without a static shape; export with static shapes");
    return it->second;
  }

  const Value& value(const onnx::NodeProto& n, const std::string& tensor) const {
    const auto it = values_.find(tensor);
    if (it == values_.end()) fail(n, "input '" + tensor + "' is not defined before this node");
    return it->second;
  }

  std::int64_t attr_int(const onnx::NodeProto& n, const std::string& name, std::int64_t fallback) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return a.i();
    return fallback;
  }
  Dims attr_ints(const onnx::NodeProto& n, const std::string& name, Dims fallback = {}) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return Dims(a.ints().begin(), a.ints().end());
    return fallback;
  }
  std::string attr_string(const onnx::NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return a.s();
    return "";
  }

  std::string layer_name(const onnx::NodeProto& n) {
    std::string name = n.name().empty() ? n.op_type() + "_" + std::to_string(layers_.size()) : n.name();
    std::replace(name.begin(), name.end(), ':', '_');
    while (names_.count(name)) name += "_";
    names_.insert(name);
    return name;
  }

  // Adds a layer reading `in` (pase references); its outputs become the node's first `outputs` outputs.
  int emit(const onnx::NodeProto& n, Json layer, Json in, int outputs = 1) {
    layer["in"] = std::move(in);
    const std::string name = layer["name"];
    layers_.push_back(std::move(layer));
    const int index = static_cast<int>(layers_.size()) - 1;
    for (int i = 0; i < outputs && i < n.output_size(); ++i)
      values_[n.output(i)] = make_value(Value::Kind::kLayer, outputs == 1 ? name : name + ":" + std::to_string(i), index,
                                   shape(n, n.output(i)));
    return index;
  }

  Json named(const onnx::NodeProto& n, const std::string& op) { return Json{{"name", layer_name(n)}, {"op", op}}; }

  // A pase reference to `tensor` with exactly its ONNX shape: views become Transpose or Reshape layers.
  std::string materialize(const onnx::NodeProto& consumer, const std::string& tensor) {
    Value v = value(consumer, tensor);
    if (v.kind == Value::Kind::kInput || v.kind == Value::Kind::kLayer) return v.ref;
    if (v.kind == Value::Kind::kConst)
      fail(consumer, "input '" + tensor + "' is a constant where pase needs a layer's output; export the model with "
                     "this input computed from the graph inputs");
    const onnx::NodeProto& n = *v.node;
    if (n.op_type() == "Pad")
      fail(n, "padding of a layer's output is supported only in front of a Conv or pooling layer; write a pase model file");
    const std::string source = materialize(consumer, v.source);
    const bool transpose = n.op_type() == "Transpose";
    // A reshape that only splits and merges axes (attention's (b, l, d) -> (b, l, h, d_k)) is one ReshapeAxes
    // vertex, which can split the heads; any other a Reshape (Ravel, Unravel), which splits contiguously only.
    const bool axes = !transpose && splits_and_merges_axes(value(consumer, v.source).shape, v.shape);
    Json layer = named(n, transpose ? "Transpose" : axes ? "ReshapeAxes" : "Reshape");
    if (transpose) {
      Dims perm = attr_ints(n, "perm");
      if (perm.empty())
        for (std::int64_t i = static_cast<std::int64_t>(v.shape.size()) - 1; i >= 0; --i) perm.push_back(i);
      layer["perm"] = perm;
    } else {
      layer["shape"] = v.shape;
    }
    ++materialized_;
    emit(n, layer, Json::array({source}));
    return values_[tensor].ref;
  }

  static bool splits_and_merges_axes(const Dims& from, const Dims& to) {
    Attributes shape;
    shape.set_ints("shape", to);
    try {
      make_operator("ReshapeAxes", {from}, shape);
      return true;
    } catch (const std::invalid_argument&) {
      return false;
    }
  }

  void fold(const onnx::NodeProto& n, const Value& into) {
    Value out = into;
    out.shape = shape(n, n.output(0));
    if (into.kind == Value::Kind::kLayer && into.layer >= 0) {
      Json& l = layers_[static_cast<std::size_t>(into.layer)];
      if (kFusing.count(l["op"].get<std::string>())) l["pointwise_ops"] = l.value("pointwise_ops", 0) + 1;
    }
    if (into.kind == Value::Kind::kView) out = into;  // an element-wise op on a view keeps the view
    values_[n.output(0)] = out;
  }

  bool all_const(const onnx::NodeProto& n) const {
    for (const auto& i : n.input())
      if (!i.empty() && values_.count(i) && values_.at(i).kind != Value::Kind::kConst) return false;
    return true;
  }

  static std::int64_t axis_of(std::int64_t axis, std::size_t rank) {
    return axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
  }

  void add(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx") unsupported(n);
    if (n.output_size() == 0) return;
    if (op == "Constant" || op == "Shape" || (all_const(n) && (kConstOnly.count(op) || kPointwise.count(op) ||
                                                                kViews.count(op) || op == "Unsqueeze"))) {
      for (const auto& o : n.output()) values_[o] = make_value(Value::Kind::kConst, "", -1, shapes_.count(o) ? shapes_[o] : Dims{});
      return;
    }
    if (op == "Gather") return gather(n);
    if (kViews.count(op)) return view(n);
    if (kPointwise.count(op)) return pointwise(n);
    if (op == "Conv") return conv(n);
    if (op == "Gemm" || op == "MatMul") return matmul(n);
    if (op == "Einsum") return einsum(n);
    if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") return pooling(n);
    if (op == "BatchNormalization") {
      emit(n, named(n, "BatchNorm"), Json::array({materialize(n, n.input(0))}));
      return;
    }
    if (op == "LayerNormalization") {
      Json l = named(n, "Norm");
      l["axis"] = axis_of(attr_int(n, "axis", -1), shape(n, n.input(0)).size());
      emit(n, l, Json::array({materialize(n, n.input(0))}));
      return;
    }
    if (op == "Softmax") {
      Json l = named(n, "Softmax");
      l["axis"] = axis_of(attr_int(n, "axis", -1), shape(n, n.input(0)).size());
      emit(n, l, Json::array({materialize(n, n.input(0))}));
      return;
    }
    if (op == "ReduceMean") return reduce_mean(n);
    if (op == "Concat") return concat(n);
    if (op == "Split") return split(n);
    unsupported(n);
  }

  [[noreturn]] void unsupported(const onnx::NodeProto& n) const {
    fail(n, "operator not supported by the ONNX import (see inputs/README.md, \"ONNX\", for the list); replace it "
            "in the PyTorch module before exporting, or write a pase model file by hand");
  }

  void gather(const onnx::NodeProto& n) {
    const Value& data = value(n, n.input(0));
    const Value& ids = value(n, n.input(1));
    if (data.kind == Value::Kind::kConst && ids.kind == Value::Kind::kConst) {
      values_[n.output(0)] = make_value(Value::Kind::kConst, "", -1, shape(n, n.output(0)));
      return;
    }
    if (data.kind != Value::Kind::kConst || data.shape.size() != 2 || ids.kind != Value::Kind::kInput ||
        attr_int(n, "axis", 0) != 0)
      fail(n, "only embeddings (a weight matrix indexed by a graph input of token ids) are supported");
    Json l = named(n, "Embedding");
    l["vocab"] = data.shape[0];
    l["dim"] = data.shape[1];
    emit(n, l, Json::array({ids.ref}));
  }

  void view(const onnx::NodeProto& n) {
    const Value& in = value(n, n.input(0));
    Value v = make_value(Value::Kind::kView, "", in.layer, shape(n, n.output(0)));
    v.node = &n;
    v.source = n.input(0);
    if (n.op_type() == "Pad") {
      if (attr_string(n, "mode") != "" && attr_string(n, "mode") != "constant") fail(n, "only constant padding is supported");
      const Dims& a = in.shape;
      const Dims& b = v.shape;
      if (a.size() != 4 || b.size() != 4 || a[0] != b[0] || a[1] != b[1])
        fail(n, "only padding of the two spatial dimensions is supported");
      v.pads = {b[2] - a[2], b[3] - a[3]};
    } else if (v.shape == in.shape && n.op_type() != "Transpose") {
      v = in;  // a view that changes nothing
    }
    values_[n.output(0)] = v;
  }

  void pointwise(const onnx::NodeProto& n) {
    std::vector<const Value*> data;
    for (const auto& i : n.input())
      if (!i.empty() && value(n, i).kind != Value::Kind::kConst) data.push_back(&value(n, i));
    const Dims& out = shape(n, n.output(0));
    for (const auto* d : data)
      if (d->norm_statistic) {  // x - mean(x) of the LayerNorm pattern: part of its Norm
        Value norm = *d;
        norm.norm_statistic = false;
        return fold(n, norm);
      }
    if (data.size() >= 2 && data[0]->layer != data[1]->layer && data[0]->shape == out && data[1]->shape == out) {
      Json l = named(n, "Elementwise");  // a residual sum or a product of two layers' outputs
      emit(n, l, Json::array({materialize(n, n.input(0)), materialize(n, n.input(1))}));
      return;
    }
    // Folded into its producer; of two producers (a broadcast), into the later one.
    const Value* into = data[0];
    for (const auto* d : data)
      if (d->layer > into->layer) into = d;
    fold(n, *into);
  }

  // The spatial padding of a Pad view in front of a convolution or pooling, and the tensor it pads.
  std::pair<std::string, Dims> padded_input(const onnx::NodeProto& n) {
    const Value& in = value(n, n.input(0));
    if (in.kind == Value::Kind::kView && in.node->op_type() == "Pad") {
      Dims pads = in.pads;
      if (pads[0] % 2 || pads[1] % 2) fail(*in.node, "asymmetric padding is not supported");
      return {materialize(n, in.source), {pads[0] / 2, pads[1] / 2}};
    }
    return {materialize(n, n.input(0)), {0, 0}};
  }

  Dims symmetric_pads(const onnx::NodeProto& n, Dims extra) const {
    const Dims pads = attr_ints(n, "pads", {0, 0, 0, 0});
    if (attr_string(n, "auto_pad") != "" && attr_string(n, "auto_pad") != "NOTSET")
      fail(n, "auto_pad is not supported; export with explicit pads");
    if (pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3]) fail(n, "only symmetric 2-D padding is supported");
    return {pads[0] + extra[0], pads[1] + extra[1]};
  }

  void conv(const onnx::NodeProto& n) {
    const Dims& w = shape(n, n.input(1));
    if (w.size() != 4) fail(n, "only 2-D convolutions are supported");
    auto [input, extra] = padded_input(n);
    Json l = named(n, "Conv");
    l["filter"] = w;
    l["stride"] = attr_ints(n, "strides", {1, 1});
    l["pad"] = symmetric_pads(n, extra);
    const auto groups = attr_int(n, "group", 1);
    if (groups != 1) l["groups"] = groups;
    const Dims dilation = attr_ints(n, "dilations", {1, 1});
    if (dilation != Dims{1, 1}) l["dilation"] = dilation;
    const Dims& out = shape(n, n.output(0));
    macs_ += static_cast<double>(product(out)) * static_cast<double>(w[1] * w[2] * w[3]);
    emit(n, l, Json::array({input}));
  }

  void pooling(const onnx::NodeProto& n) {
    auto [input, extra] = padded_input(n);
    const Dims& in = shape(n, n.input(0));
    if (in.size() != 4) fail(n, "only 2-D pooling is supported");
    Json l = named(n, "Pooling");
    if (n.op_type() == "GlobalAveragePool") {
      l["window"] = Dims{in[2], in[3]};
    } else {
      if (attr_int(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode is not supported; export with ceil_mode=False");
      l["window"] = attr_ints(n, "kernel_shape");
      l["stride"] = attr_ints(n, "strides", {1, 1});
      l["pad"] = symmetric_pads(n, extra);
    }
    emit(n, l, Json::array({input}));
  }

  // MatMul and Gemm: a layer times a weight is an Einsum with the weight inline; two layers a MatMul.
  void matmul(const onnx::NodeProto& n) {
    const Value& b = value(n, n.input(1));
    const Dims& a_shape = shape(n, n.input(0));
    const Dims& out = shape(n, n.output(0));
    const bool gemm = n.op_type() == "Gemm";
    if (gemm && attr_int(n, "transA", 0) != 0) fail(n, "transA=1 is not supported");
    if (a_shape.size() < (gemm ? 2u : 1u) || out.empty()) fail(n, "the input's or the output's rank is too small");
    const std::int64_t k = gemm ? a_shape[1] : a_shape.back();
    macs_ += static_cast<double>(product(out)) * static_cast<double>(k);
    if (b.kind == Value::Kind::kConst && a_shape.size() == 2 && flattened(n.input(0))) {
      // Flatten (b, c, h, w) -> (b, c*h*w) and a GEMM: one Einsum over the unflattened input, no vertex.
      const Value& source = value(n, value(n, n.input(0)).source);
      const std::string reduced = std::string("kxyzuv").substr(0, source.shape.size() - 1);
      Dims weight(source.shape.begin() + 1, source.shape.end());
      weight.push_back(out.back());
      Json l = named(n, "Einsum");
      l["equation"] = "b" + reduced + "," + reduced + "n->bn";
      emit(n, l, Json::array({materialize(n, value(n, n.input(0)).source), Json{{"shape", weight}}}));
      return;
    }
    const std::string a = materialize(n, n.input(0));
    if (b.kind == Value::Kind::kConst) {
      const std::string letters = "blhmpqrt";
      if (a_shape.size() > letters.size() + 1 || a_shape.empty()) fail(n, "input rank not supported");
      const std::string lead = letters.substr(0, a_shape.size() - 1);
      const std::int64_t units = out.back();
      Json l = named(n, "Einsum");
      l["equation"] = lead + "k,kn->" + lead + "n";
      emit(n, l, Json::array({a, Json{{"shape", Dims{k, units}}}}));
      return;
    }
    if (gemm) fail(n, "a Gemm of two layers' outputs is not supported");
    emit(n, named(n, "MatMul"), Json::array({a, materialize(n, n.input(1))}));
  }

  // A Flatten or Reshape view (b, rest...) -> (b, product(rest)) of a layer's output.
  bool flattened(const std::string& tensor) const {
    const auto it = values_.find(tensor);
    if (it == values_.end() || it->second.kind != Value::Kind::kView) return false;
    const Value& v = it->second;
    const std::string& op = v.node->op_type();
    if (op != "Flatten" && op != "Reshape") return false;
    const auto s = values_.find(v.source);
    if (s == values_.end() || (s->second.kind != Value::Kind::kLayer && s->second.kind != Value::Kind::kInput)) return false;
    const Dims& from = s->second.shape;
    return from.size() >= 2 && from.size() <= 7 && v.shape.size() == 2 && from[0] == v.shape[0] &&
           product(from) == product(v.shape);
  }

  void einsum(const onnx::NodeProto& n) {
    const std::string eq = equation(n);
    const auto arrow = eq.find("->");
    if (n.input_size() != 2 || arrow == std::string::npos || eq.find("...") != std::string::npos)
      fail(n, "only two-operand equations with an explicit output and no '...' are supported");
    const auto comma = eq.find(',');
    std::map<char, std::int64_t> size;
    const std::string terms[2] = {eq.substr(0, comma), eq.substr(comma + 1, arrow - comma - 1)};
    for (int t = 0; t < 2; ++t) {
      const Dims& s = shape(n, n.input(t));
      if (s.size() != terms[t].size()) fail(n, "the equation does not match the input ranks");
      for (std::size_t i = 0; i < s.size(); ++i) size[terms[t][i]] = std::max(size[terms[t][i]], s[i]);
    }
    double work = 1;
    for (const auto& [letter, extent] : size) work *= static_cast<double>(extent);

    macs_ += work;
    Json l = named(n, "Einsum");
    l["equation"] = eq;
    Json in = Json::array();
    for (int t = 0; t < 2; ++t) {
      const Value& v = value(n, n.input(t));
      if (v.kind == Value::Kind::kConst) in.push_back(Json{{"shape", shape(n, n.input(t))}});
      else in.push_back(materialize(n, n.input(t)));
    }
    emit(n, l, in);
  }

  // ReduceMean over the last axis with keepdims starts the opset-13 LayerNorm pattern
  // (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div): one Norm layer the rest folds into.
  void reduce_mean(const onnx::NodeProto& n) {
    const Dims& in = shape(n, n.input(0));
    Dims axes = attr_ints(n, "axes");
    for (auto& a : axes) a = axis_of(a, in.size());
    const bool keep = attr_int(n, "keepdims", 1) != 0;
    const Value& x = value(n, n.input(0));
    if (keep && axes == Dims{static_cast<std::int64_t>(in.size()) - 1}) {
      if (x.kind == Value::Kind::kLayer && layers_[static_cast<std::size_t>(x.layer)]["op"] == "Norm") {
        fold(n, x);  // the variance of the pattern's own Norm
        return;
      }
      Json l = named(n, "Norm");
      l["axis"] = static_cast<std::int64_t>(in.size()) - 1;
      emit(n, l, Json::array({materialize(n, n.input(0))}));
      values_[n.output(0)].shape = in;
      values_[n.output(0)].norm_statistic = true;
      return;
    }
    Json l = named(n, "ReduceMean");
    l["axes"] = axes;
    l["keepdims"] = keep;
    emit(n, l, Json::array({materialize(n, n.input(0))}));
  }

  // A concatenation whose leading inputs are exactly an earlier concatenation's (same axis) appends to
  // that one's output: DenseNet's layer i concatenates the block input and all i-1 feature maps so far,
  // which as one edge per feature map is a clique of a block's layers (24 in DenseNet-121: no exact DP
  // fits). Appending computes the same tensor and keeps the features so far concatenated in the
  // layout of the previous concatenation, so each feature map is re-laid out once, not once per later
  // layer; the graph's width stays at 2.
  void concat(const onnx::NodeProto& n) {
    if (n.input_size() == 1) return view(n);  // DenseNet's first layer: a concat of one tensor
    const auto axis = axis_of(attr_int(n, "axis", 0), shape(n, n.output(0)).size());
    std::vector<std::string> inputs(n.input().begin(), n.input().end());
    std::vector<std::string> pieces = inputs;
    std::size_t longest = 1;
    for (const auto& [earlier, output] : concats_) {
      const auto& [earlier_axis, earlier_inputs] = earlier;
      if (earlier_axis == axis && earlier_inputs.size() > longest && earlier_inputs.size() < inputs.size() &&
          std::equal(earlier_inputs.begin(), earlier_inputs.end(), inputs.begin())) {
        longest = earlier_inputs.size();
        pieces = {output};
        pieces.insert(pieces.end(), inputs.begin() + static_cast<std::ptrdiff_t>(longest), inputs.end());
      }
    }
    Json l = named(n, "Concat"), in = Json::array();
    l["axis"] = axis;
    for (const auto& i : pieces) in.push_back(materialize(n, i));
    emit(n, l, in);
    concats_[{axis, inputs}] = n.output(0);
  }

  void split(const onnx::NodeProto& n) {
    const Dims& in = shape(n, n.input(0));
    const auto axis = axis_of(attr_int(n, "axis", 0), in.size());
    for (const auto& o : n.output())
      if (shape(n, o) != shape(n, n.output(0))) fail(n, "only a split into equal parts is supported");
    if (axis + 1 == static_cast<std::int64_t>(in.size()) && stack_gemm_columns(n)) {
      Json l = named(n, "Unstack");
      emit(n, l, Json::array({value(n, n.input(0)).ref}), n.output_size());
      return;
    }
    Json l = named(n, "Split");
    l["parts"] = n.output_size();
    l["axis"] = axis;
    emit(n, l, Json::array({materialize(n, n.input(0))}), n.output_size());
  }

  // A GEMM by a weight whose output columns are split in equal parts and read by nothing else (GPT-2's c_attn,
  // a fused QKV projection: (b, l, e) x (e, 3 d), split into q, k and v) becomes an Einsum over the parts as a
  // stacked axis s, "ble,esn->sbln", which the Split reads as an Unstack. The GEMM is the same (the weight's
  // (e, 3, d) is its (e, 3 d) in memory); what changes is that its output can be split along d in every part at
  // once: a device multiplying by the columns of heads 0..h/2 of q, k and v holds a permutation of the fused
  // weight's columns, which a parameter's placement is free to be (Megatron-LM's fused QKV splits so).
  bool stack_gemm_columns(const onnx::NodeProto& n) {
    const Value& in = value(n, n.input(0));
    if (in.kind != Value::Kind::kLayer || in.ref != layers_[static_cast<std::size_t>(in.layer)]["name"]) return false;
    Json& gemm = layers_[static_cast<std::size_t>(in.layer)];
    if (gemm["op"] != "Einsum" || !gemm["in"][1].is_object()) return false;
    const std::string eq = gemm["equation"];
    const auto comma = eq.find(',');
    const std::string lead = eq.substr(0, comma - 1);
    if (eq != lead + "k," + "kn->" + lead + "n") return false;
    // Every tensor that is this layer's output (the GEMM's, and its folded bias add's) has one reader, the last
    // being this Split: nothing else reads the columns unsplit.
    for (const auto& [tensor, v] : values_)
      if (v.kind == Value::Kind::kLayer && v.layer == in.layer && (uses_.count(tensor) ? uses_.at(tensor) : 0) != 1)
        return false;
    const Dims weight = gemm["in"][1]["shape"].get<Dims>();
    const std::int64_t parts = n.output_size();
    gemm["equation"] = lead + "k,ksn->s" + lead + "n";
    gemm["in"][1]["shape"] = Dims{weight[0], parts, weight[1] / parts};
    return true;
  }

  std::string path_;
  std::int64_t batch_ = 1;
  bool batch_given_ = false;    // --set batch=N
  bool dynamic_batch_ = false;  // some input's first dimension is named (dynamic)
  std::int64_t batch_size_ = 0;
  std::int64_t opset_ = 0;
  onnx::ModelProto model_;
  std::map<std::string, Dims> shapes_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;  // how many node inputs and graph outputs read each tensor
  std::map<std::pair<std::int64_t, std::vector<std::string>>, std::string> concats_;  // (axis, inputs) -> output
  std::set<std::string> names_;
  Json inputs_ = Json::object();
  Json layers_ = Json::array();
  std::int64_t parameters_ = 0;
  double macs_ = 0;
  int materialized_ = 0;
};

}  // namespace

bool is_onnx_path(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".onnx") == 0;
}

OnnxImport import_onnx(const std::string& path, const std::vector<std::string>& overrides) {
  return Importer(path, overrides).run();
}

}  // namespace pase
