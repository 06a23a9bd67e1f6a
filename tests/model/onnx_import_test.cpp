// ONNX import: torchvision's documented sizes from stripped exports, folding, dynamic batch, one-line errors.
#include "pase/model/onnx_import.hpp"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "pase/model/model_file.hpp"

namespace pase {
namespace {

const std::string kDir = std::string(PASE_SOURCE_DIR) + "/tests/model/onnx/";

// torchvision 0.14's model documentation: parameters and "GFLOPS" (which count multiply-accumulates).
struct Documented {
  const char* file;
  std::int64_t parameters;  // 0: not comparable (see below)
  double gmacs;
};

TEST(OnnxImportTest, sizes_equal_torchvisions_documented_ones_within_one_percent) {
  // Inception-V3's documented 27,161,264 parameters include the auxiliary classifier, which an eval-mode
  // export leaves out; its MACs are those of the main path, as documented.
  const Documented models[] = {{"resnet50", 25557032, 4.09},    {"alexnet", 61100840, 0.71},
                               {"vgg16", 138357544, 15.47},     {"mobilenet_v2", 3504872, 0.30},
                               {"inception_v3", 0, 5.71},       {"densenet121", 7978856, 2.83},
                               {"resnet101", 44549160, 7.80}};
  for (const auto& m : models) {
    const OnnxImport imported = import_onnx(kDir + m.file + ".onnx", {});
    EXPECT_NEAR(imported.forward_macs_per_sample / 1e9, m.gmacs, 0.01 * m.gmacs) << m.file;
    if (m.parameters > 0) {
      const auto documented = static_cast<double>(m.parameters);
      EXPECT_NEAR(static_cast<double>(imported.parameters), documented, 0.01 * documented) << m.file;
    }
  }
}

TEST(OnnxImportTest, exact_counts_where_nothing_is_fused) {
  // AlexNet and VGG-16 have no BatchNorm for the exporter to fold into a convolution's bias.
  EXPECT_EQ(import_onnx(kDir + "alexnet.onnx", {}).parameters, 61100840);
  EXPECT_EQ(import_onnx(kDir + "vgg16.onnx", {}).parameters, 138357544);
  // ResNet-101 is exported in training mode: its BatchNorms stay nodes (weights and biases counted,
  // running statistics not).
  EXPECT_EQ(import_onnx(kDir + "resnet101.onnx", {}).parameters, 44549160);
  // The GPT block ties its LM head to the token embedding: counted once. 512*64 + 64*64 embeddings,
  // 3 LayerNorms, q, k, v, proj (64x64 + 64), up (64x256 + 256), down (256x64 + 64).
  EXPECT_EQ(import_onnx(kDir + "gpt_block.onnx", {}).parameters,
            512 * 64 + 64 * 64 + 3 * 128 + 4 * (64 * 64 + 64) + (64 * 256 + 256) + (256 * 64 + 64));
}

TEST(OnnxImportTest, both_layernorm_forms_give_the_same_model) {
  const Network a = load_model(kDir + "encoder_layer_opset13.onnx");
  const Network b = load_model(kDir + "encoder_layer_opset17.onnx");
  ASSERT_EQ(a.layers.size(), b.layers.size());
  std::size_t norms = 0;
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_EQ(a.layers[i].op, b.layers[i].op) << i;
    norms += a.layers[i].op == "Norm";
  }
  EXPECT_EQ(norms, 2u);
  EXPECT_EQ(import_onnx(kDir + "encoder_layer_opset13.onnx", {}).forward_macs_per_sample,
            import_onnx(kDir + "encoder_layer_opset17.onnx", {}).forward_macs_per_sample);
}

TEST(OnnxImportTest, activations_fold_into_their_producer) {
  // ResNet-18: 20 convolutions (BatchNorm fused by the exporter), 8 residual sums, max pool, global
  // pool, FC: 31 real layers; the Relus fold into the convolutions and sums, Flatten into the FC's input.
  const OnnxImport imported = import_onnx(kDir + "resnet18.onnx", {});
  const auto& layers = imported.document["layers"];
  std::size_t convs = 0, sums = 0, relus_folded = 0;
  for (const auto& l : layers) {
    convs += l["op"] == "Conv";
    sums += l["op"] == "Elementwise";
    relus_folded += l.value("pointwise_ops", 0);
  }
  EXPECT_EQ(convs, 20u);
  EXPECT_EQ(sums, 8u);
  EXPECT_EQ(relus_folded, 17u);  // one per conv but the downsample and second convs of a block, one per sum
  EXPECT_GT(imported.onnx_nodes, static_cast<std::int64_t>(layers.size()));
}

// GPT-2's attention as transformers writes it (tests/model/onnx/gpt2_attention.onnx): c_attn's GEMM and the
// Split of its columns become an Einsum over q, k and v stacked and an Unstack; each head reshape, (b, l, d) ->
// (b, l, h, d_k) and back, is one ReshapeAxes vertex, which can split the heads.
TEST(OnnxImportTest, fused_qkv_and_head_reshapes_import_as_head_splittable_layers) {
  const OnnxImport imported = import_onnx(kDir + "gpt2_attention.onnx", {});
  std::map<std::string, int> ops;
  for (const auto& l : imported.document["layers"]) {
    ++ops[l["op"].get<std::string>()];
    if (l["name"] == "/c_attn/MatMul") {
      EXPECT_EQ(l["equation"], "blk,ksn->sbln");
      EXPECT_EQ(l["in"][1]["shape"], nlohmann::ordered_json::array({1024, 3, 1024}));
    }
  }
  EXPECT_EQ(ops["Unstack"], 1);
  EXPECT_EQ(ops["Split"], 0);
  EXPECT_EQ(ops["ReshapeAxes"], 4);  // q, k and v to heads, the heads merged
  EXPECT_EQ(ops["Reshape"], 0);
  // The GEMM is the same: LayerNorm, c_attn (1024 x 3072 + 3072), c_proj (1024 x 1024 + 1024).
  EXPECT_EQ(imported.parameters, 2 * 1024 + 1024 * 3072 + 3072 + 1024 * 1024 + 1024);
  const Network net = load_model(kDir + "gpt2_attention.onnx");
  for (const auto& l : net.layers)
    if (l.op == "ReshapeAxes") {
      EXPECT_EQ(l.model->domain(), (Shape{4, 256, 16, 64})) << l.name;
    }
  // A GEMM whose output is also read whole (split_and_whole.onnx: concatenated with its own halves) keeps its
  // columns as they are: a Split of an ordinary GEMM.
  const OnnxImport whole = import_onnx(kDir + "split_and_whole.onnx", {});
  std::map<std::string, std::string> op_of;
  for (const auto& l : whole.document["layers"]) op_of[l["name"]] = l["op"];
  EXPECT_EQ(op_of["/Split"], "Split");
  EXPECT_EQ(whole.document["layers"][0]["equation"], "blk,kn->bln");
}

TEST(OnnxImportTest, dynamic_batch_is_set_with_batch) {
  const Network net = load_model(kDir + "resnet18.onnx", {"batch=16"});
  EXPECT_EQ(net.params.at("batch"), 16);
  EXPECT_EQ(net.layers.front().model->input_shapes()[0], (Shape{16, 3, 224, 224}));
  // Per sample, whatever the batch.
  EXPECT_DOUBLE_EQ(import_onnx(kDir + "resnet18.onnx", {"batch=16"}).forward_macs_per_sample,
                   import_onnx(kDir + "resnet18.onnx", {}).forward_macs_per_sample);
}

TEST(OnnxImportTest, imported_document_loads_back_to_the_same_network) {
  const auto path = std::filesystem::temp_directory_path() / "pase_onnx_import_test.json";
  {
    std::ofstream out(path);
    out << import_onnx(kDir + "gpt_block.onnx", {}).document.dump(1);
  }
  const Network from_onnx = load_model(kDir + "gpt_block.onnx");
  const Network from_json = load_model(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(from_onnx.layers.size(), from_json.layers.size());
  for (std::size_t i = 0; i < from_onnx.layers.size(); ++i)
    EXPECT_EQ(from_onnx.layers[i].signature, from_json.layers[i].signature);
  EXPECT_EQ(from_json.parameters, from_onnx.parameters);
}

std::string one_line_error(const std::string& path) {
  try {
    import_onnx(path, {});
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(OnnxImportTest, bad_files_are_one_line_errors) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto truncated = (dir / "pase_truncated.onnx").string(), text = (dir / "pase_text.onnx").string();
  {
    std::ifstream in(kDir + "resnet18.onnx", std::ios::binary);
    std::string bytes(std::istreambuf_iterator<char>(in), {});
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    std::ofstream(text) << "{\"format\": \"pase-model\"}\n";
  }
  for (const auto& path : {truncated, text}) {
    const std::string e = one_line_error(path);
    EXPECT_NE(e.find(path + ": not an ONNX model"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  std::filesystem::remove(truncated);
  std::filesystem::remove(text);
  // Pads computed by a chain ONNX shape inference cannot evaluate: the node is named.
  const std::string e = one_line_error(kDir + "pad_unresolved.onnx");
  EXPECT_NE(e.find("node '/Pad' (Pad)"), std::string::npos) << e;
  EXPECT_NE(e.find("static shape"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_NE(one_line_error(kDir + "missing.onnx").find("cannot open"), std::string::npos);
  // A batch the export fixed cannot be changed with --set batch.
  try {
    import_onnx(kDir + "encoder_layer_opset13.onnx", {"batch=8"});
    ADD_FAILURE() << "a static batch was overridden";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("static batch of 2"), std::string::npos) << error.what();
  }
}

// A model whose graph input x has `dims` and whose initializers w0, w1... have `weights` (floats); one node
// `op` reads x alone and writes `output`, the graph's output.
std::string write_model(const std::string& name, const std::vector<std::int64_t>& dims,
                        const std::vector<std::vector<std::int64_t>>& weights = {}, const std::string& op = "Relu",
                        const std::string& output = "y") {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto* graph = model.mutable_graph();
  auto* input = graph->add_input();
  input->set_name("x");
  auto* tensor = input->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) tensor->mutable_shape()->add_dim()->set_dim_value(d);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    auto* w = graph->add_initializer();
    w->set_name("w" + std::to_string(i));
    w->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : weights[i]) w->add_dims(d);
  }
  auto* relu = graph->add_node();
  relu->set_name("relu");
  relu->set_op_type(op);
  relu->add_input("x");
  relu->add_output(output);
  graph->add_output()->set_name(output);
  const auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream out(path, std::ios::binary);
  model.SerializeToOstream(&out);
  return path;
}

// The fuzzer's find (stop 23): a shape whose element count overflowed 64 bits was undefined behaviour.
TEST(OnnxImportTest, corrupt_shapes_and_nodes_are_refused) {
  const std::int64_t big = std::int64_t{1} << 40;
  for (const auto& [path, tensor] : {std::pair{write_model("pase_huge_input.onnx", {big, big}), std::string("'x'")},
                                    {write_model("pase_negative.onnx", {2, -3}), "'x'"},
                                    {write_model("pase_huge_weight.onnx", {2, 3}, {{big, big}}), "'w0'"}}) {
    const std::string e = one_line_error(path);
    EXPECT_NE(e.find(path + ": tensor " + tensor), std::string::npos) << e;
    EXPECT_NE(e.find("2^63"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    std::filesystem::remove(path);
  }
  const std::int64_t half = std::int64_t{1} << 31;  // two weights of 2^62 elements each
  const auto path = write_model("pase_huge_sum.onnx", {2, 3}, {{half, half}, {half, half}});
  const std::string e = one_line_error(path);
  EXPECT_NE(e.find(path + ": initializer 'w1': the parameters add up to more than 2^63"), std::string::npos) << e;
  std::filesystem::remove(path);
  // A node with fewer inputs than its operator has (the fuzzer's second find: the import read past them).
  const auto one_input = write_model("pase_matmul_one_input.onnx", {2, 3}, {}, "MatMul");
  const std::string m = one_line_error(one_input);
  EXPECT_NE(m.find(one_input + ": node 'relu' (MatMul): not a valid ONNX node: "), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  std::filesystem::remove(one_input);
  // A node that writes its own input (a Transpose x -> x read by a Softmax crashed pase by endless recursion).
  const auto own_input = write_model("pase_writes_its_input.onnx", {2, 3}, {}, "Transpose", "x");
  const std::string o = one_line_error(own_input);
  EXPECT_NE(o.find(own_input + ": node 'relu' (Transpose): output 'x' is already a graph input"), std::string::npos) << o;
  std::filesystem::remove(own_input);
  // Sizes that fit still import.
  const auto fine = write_model("pase_fine.onnx", {2, 3}, {{4, 5}});
  EXPECT_EQ(import_onnx(fine, {}).parameters, 20);
  std::filesystem::remove(fine);
}

}  // namespace
}  // namespace pase
