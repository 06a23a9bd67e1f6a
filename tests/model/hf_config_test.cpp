// Hugging Face config.json: published parameter counts, loading through load_model, and one-line errors.
#include "pase/model/hf_config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "pase/model/model_file.hpp"

namespace pase {
namespace {

const std::string kDir = std::string(PASE_SOURCE_DIR) + "/tests/model/hf/";

nlohmann::ordered_json read(const std::string& name) {
  std::ifstream in(kDir + name);
  return nlohmann::ordered_json::parse(in);
}

TEST(HfConfigTest, parameter_counts_equal_the_published_ones) {
  EXPECT_EQ(hf_parameter_count(read("llama-2-7b.json"), "llama"), 6738415616);
  EXPECT_EQ(hf_parameter_count(read("mistral-7b.json"), "mistral"), 7241732096);
  EXPECT_EQ(hf_parameter_count(read("gpt2.json"), "gpt2"), 124439808);
  EXPECT_EQ(hf_parameter_count(read("bert-base-uncased.json"), "bert"), 109482240);
}

TEST(HfConfigTest, loads_as_a_model_with_set_overrides) {
  const Network net = load_model(kDir + "mistral-7b.json", {"layers=2", "seq=128", "batch=4"});
  EXPECT_EQ(net.params.at("group"), 4);
  EXPECT_EQ(net.params.at("kv_heads"), 8);
  // embed, 15 per decoder layer (norm, q, k, v, logits, softmax, scores, out, residual, norm, gate, up,
  // swiglu, down, residual), final norm, logits, loss.
  EXPECT_EQ(net.layers.size(), 1u + 2u * 15u + 3u);
}

TEST(HfConfigTest, unknown_architecture_is_one_line_naming_the_field) {
  auto config = read("gpt2.json");
  config["architectures"] = {"T5ForConditionalGeneration"};
  try {
    pase_model_from_hf_config(config, "c.json");
    FAIL();
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("c.json: field 'architectures'"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace pase

namespace pase {
namespace {

TEST(HfConfigTest, llama_7b_preset_is_the_exact_llama_2_7b_import) {
  const Network preset = load_model(std::string(PASE_SOURCE_DIR) + "/inputs/llama-7b.json");
  const Network imported = load_model(kDir + "llama-2-7b.json", {"batch=1024", "seq=4096"});
  EXPECT_EQ(preset.parameters, 6738415616);
  EXPECT_EQ(preset.parameters, hf_parameter_count(read("llama-2-7b.json"), "llama"));
  ASSERT_EQ(preset.layers.size(), imported.layers.size());
  for (std::size_t i = 0; i < preset.layers.size(); ++i) EXPECT_EQ(preset.layers[i].signature, imported.layers[i].signature);
}

TEST(HfConfigTest, gpt2_xl_preset_is_the_exact_import) {
  // 1,557,611,200 parameters as Hugging Face counts gpt2-xl (tied embeddings): its config.json.
  const Network preset = load_model(std::string(PASE_SOURCE_DIR) + "/inputs/gpt2-xl.json");
  const Network imported = load_model(kDir + "gpt2-xl.json", {"batch=512"});
  EXPECT_EQ(preset.parameters, 1557611200);
  EXPECT_EQ(hf_parameter_count(read("gpt2-xl.json"), "gpt2"), 1557611200);
  EXPECT_EQ(preset.params, imported.params);
  ASSERT_EQ(preset.layers.size(), imported.layers.size());
  for (std::size_t i = 0; i < preset.layers.size(); ++i) EXPECT_EQ(preset.layers[i].signature, imported.layers[i].signature);
}

TEST(HfConfigTest, gpt3_175b_preset_is_the_exact_import_of_the_published_size) {
  // GPT-3 175B in the shape of Brown et al. 2020, Table 2.1 (96 layers, d_model 12288, 96 heads of 128,
  // context 2048) with GPT-2's architecture and 50257-token vocabulary: V d + 2048 d + 96 (12 d^2 + 13 d)
  // + 2 d, the paper's "175.0B".
  const std::int64_t d = 12288;
  EXPECT_EQ(hf_parameter_count(read("gpt3-175b.json"), "gpt3-175b.json"), 174604259328);
  EXPECT_EQ(174604259328, 50257 * d + 2048 * d + 96 * (12 * d * d + 13 * d) + 2 * d);
  const Network preset = load_model(std::string(PASE_SOURCE_DIR) + "/inputs/gpt3-175b.json");
  const Network imported = load_model(kDir + "gpt3-175b.json", {"batch=1536"});
  EXPECT_EQ(preset.parameters, 174604259328);
  EXPECT_EQ(preset.params, imported.params);
  ASSERT_EQ(preset.layers.size(), imported.layers.size());
  for (std::size_t i = 0; i < preset.layers.size(); ++i) EXPECT_EQ(preset.layers[i].signature, imported.layers[i].signature);
}

std::vector<std::string> attention_projections(const Network& net) {
  std::vector<std::string> names;
  for (const auto& l : net.layers)
    if (l.name.rfind("blocks.0.att.", 0) == 0 && l.op == "Einsum" && l.name != "blocks.0.att.logits" &&
        l.name != "blocks.0.att.scores")
      names.push_back(l.name);
  return names;
}

// Projections are fused where the source model multiplies by one matrix: GPT-2's c_attn (q, k and v in one GEMM,
// as GPT-3 and Megatron-LM run it); Llama's q_proj, k_proj, v_proj (and gate_proj, up_proj) and BERT's query,
// key, value are separate GEMMs, so separate Einsums.
TEST(HfConfigTest, qkv_is_fused_exactly_where_the_source_model_fuses_it) {
  const Network gpt2 = load_model(kDir + "gpt2.json", {"layers=1"});
  const Network llama = load_model(kDir + "llama-2-7b.json", {"layers=1"});
  const Network bert = load_model(kDir + "bert-base-uncased.json", {"layers=1"});
  EXPECT_EQ(attention_projections(gpt2), std::vector<std::string>({"blocks.0.att.qkv", "blocks.0.att.out"}));
  const std::vector<std::string> separate = {"blocks.0.att.q", "blocks.0.att.k", "blocks.0.att.v", "blocks.0.att.out"};
  EXPECT_EQ(attention_projections(llama), separate);
  EXPECT_EQ(attention_projections(bert), separate);
  int gate_up = 0;
  for (const auto& l : llama.layers) gate_up += l.name == "blocks.0.ff.gate" || l.name == "blocks.0.ff.up";
  EXPECT_EQ(gate_up, 2);
}

}  // namespace
}  // namespace pase
