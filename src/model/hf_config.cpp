#include "pase/model/hf_config.hpp"

#include <algorithm>
#include <stdexcept>

namespace pase {

namespace {

using Json = nlohmann::ordered_json;

enum class Family { kLlama, kGpt2, kBert };

// The shape of one supported architecture, read from its config.json field names.
struct Shape {
  Family family = Family::kLlama;
  bool masked_lm = false;  // BertForMaskedLM: LM head instead of the pooler
  std::int64_t vocab = 0, d_model = 0, layers = 0, heads = 0, kv_heads = 0, d_k = 0, d_ff = 0;
  std::int64_t positions = 0, token_types = 0;
  bool tied = false, attention_bias = false, mlp_bias = false;
};

class ConfigReader {
 public:
  ConfigReader(const Json& config, std::string path) : config_(config), path_(std::move(path)) {}

  Shape read() const {
    Shape s;
    const std::string arch = architecture();
    if (arch == "LlamaForCausalLM" || arch == "MistralForCausalLM") {
      s.family = Family::kLlama;
      s.vocab = field("vocab_size");
      s.d_model = field("hidden_size");
      s.layers = field("num_hidden_layers");
      s.heads = field("num_attention_heads");
      s.kv_heads = field("num_key_value_heads", s.heads);
      s.d_ff = field("intermediate_size");
      s.positions = field("max_position_embeddings", 4096);
      s.tied = flag("tie_word_embeddings", false);
      s.attention_bias = flag("attention_bias", false);
      s.mlp_bias = flag("mlp_bias", false);
      s.d_k = field("head_dim", per_head(s.d_model, s.heads, "num_attention_heads"));
    } else if (arch == "GPT2LMHeadModel") {
      s.family = Family::kGpt2;
      s.vocab = field("vocab_size");
      s.d_model = field("n_embd");
      s.layers = field("n_layer");
      s.heads = s.kv_heads = field("n_head");
      s.d_ff = field("n_inner", 4 * s.d_model);
      s.positions = field("n_positions");
      s.tied = true;  // GPT2LMHeadModel always ties lm_head to wte
      s.attention_bias = s.mlp_bias = true;
      s.d_k = per_head(s.d_model, s.heads, "n_head");
    } else if (arch == "BertModel" || arch == "BertForMaskedLM") {
      s.family = Family::kBert;
      s.masked_lm = arch == "BertForMaskedLM";
      s.vocab = field("vocab_size");
      s.d_model = field("hidden_size");
      s.layers = field("num_hidden_layers");
      s.heads = s.kv_heads = field("num_attention_heads");
      s.d_ff = field("intermediate_size");
      s.positions = field("max_position_embeddings");
      s.token_types = field("type_vocab_size", 2);
      s.tied = true;
      s.attention_bias = s.mlp_bias = true;
      s.d_k = per_head(s.d_model, s.heads, "num_attention_heads");
    } else {
      fail("field 'architectures': \"" + arch +
           "\" is not supported; pase reads LlamaForCausalLM, MistralForCausalLM, GPT2LMHeadModel, BertModel and "
           "BertForMaskedLM (write a pase model file for others, see inputs/README.md)");
    }
    if (s.kv_heads < 1 || s.heads % s.kv_heads != 0)
      fail("field 'num_key_value_heads': must divide num_attention_heads (" + std::to_string(s.heads) + ")");
    return s;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw std::invalid_argument(path_ + ": " + what); }

  std::string architecture() const {
    const auto it = config_.find("architectures");
    if (it == config_.end() || !it->is_array() || it->size() != 1 || !(*it)[0].is_string())
      fail("field 'architectures': must list exactly one architecture name, e.g. [\"LlamaForCausalLM\"]");
    return (*it)[0].get<std::string>();
  }

  // A positive integer field; `fallback` (when >= 0) stands for a missing or null field, as in transformers.
  std::int64_t field(const std::string& name, std::int64_t fallback = -1) const {
    const auto it = config_.find(name);
    if (it == config_.end() || it->is_null()) {
      if (fallback >= 0) return fallback;
      fail("field '" + name + "': missing; this architecture's config.json must give it");
    }
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1)
      fail("field '" + name + "': must be a positive integer");
    return it->get<std::int64_t>();
  }

  bool flag(const std::string& name, bool fallback) const {
    const auto it = config_.find(name);
    if (it == config_.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) fail("field '" + name + "': must be true or false");
    return it->get<bool>();
  }

  std::int64_t per_head(std::int64_t d_model, std::int64_t heads, const std::string& heads_field) const {
    if (d_model % heads != 0) fail("field '" + heads_field + "': must divide the hidden size " + std::to_string(d_model));
    return d_model / heads;
  }

  const Json& config_;
  std::string path_;
};

std::int64_t linear(std::int64_t in, std::int64_t out, bool bias) { return in * out + (bias ? out : 0); }

std::int64_t parameter_count(const Shape& s) {
  const std::int64_t d = s.d_model, q = s.heads * s.d_k, kv = s.kv_heads * s.d_k;
  const bool b = s.attention_bias;
  const std::int64_t attention = linear(d, q, b) + 2 * linear(d, kv, b) + linear(q, d, b);
  switch (s.family) {
    case Family::kLlama: {  // RMSNorm gains only; rotary embeddings have no weights
      const std::int64_t mlp = 2 * linear(d, s.d_ff, s.mlp_bias) + linear(s.d_ff, d, s.mlp_bias);
      const std::int64_t layer = attention + mlp + 2 * d;
      return s.vocab * d * (s.tied ? 1 : 2) + s.layers * layer + d;
    }
    case Family::kGpt2: {  // LayerNorm gain and bias; learned positions
      const std::int64_t layer = attention + linear(d, s.d_ff, true) + linear(s.d_ff, d, true) + 2 * 2 * d;
      return (s.vocab + s.positions) * d + s.layers * layer + 2 * d;
    }
    case Family::kBert: {
      const std::int64_t layer = attention + linear(d, s.d_ff, true) + linear(s.d_ff, d, true) + 2 * 2 * d;
      const std::int64_t embeddings = (s.vocab + s.positions + s.token_types) * d + 2 * d;
      // BertModel ends in the pooler; BertForMaskedLM drops it for the LM head's transform, its LayerNorm and the
      // decoder bias (the decoder matrix is the tied word embedding).
      const std::int64_t head = s.masked_lm ? linear(d, d, true) + 2 * d + s.vocab : linear(d, d, true);
      return embeddings + s.layers * layer + head;
    }
  }
  return 0;
}

Json layer(const std::string& name, const std::string& op, Json in) {
  return Json{{"name", name}, {"op", op}, {"in", std::move(in)}};
}
Json weight(Json shape) { return Json{{"shape", std::move(shape)}}; }
Json einsum(const std::string& name, Json in, const std::string& equation, int pointwise_ops = 0) {
  Json l = layer(name, "Einsum", std::move(in));
  l["equation"] = equation;
  if (pointwise_ops > 0) l["pointwise_ops"] = pointwise_ops;
  return l;
}
Json with_dims(Json l, const std::string& dims) {
  l["dims"] = dims;
  return l;
}

// Attention with g = kv_heads groups of r = heads / kv_heads query heads (grouped-query attention; r = 1 is
// multi-head). Norm placement: pre-norm (Llama, GPT-2) or post-norm (BERT).
Json decoder_block(const Shape& s) {
  const bool pre_norm = s.family != Family::kBert;
  Json layers = Json::array();
  std::string x = "x";
  if (pre_norm) {
    layers.push_back(with_dims(layer("att.norm", "Norm", {x}), "ble"));
    x = "att.norm";
  }
  if (s.family == Family::kGpt2) {
    // GPT-2's c_attn is one GEMM of 3 d_model columns (and so is GPT-3's and Megatron's QKV): one Einsum, as in
    // inputs/gpt.json. Its q, k and v columns may be split by heads, a permutation of the fused weight's columns.
    layers.push_back(einsum("att.qkv", {x, weight({3, "heads", "d_model", "d_k"})}, "ble,shek->sbhlk"));
    layers.push_back(with_dims(layer("att.qkv_split", "Unstack", {"att.qkv"}), "sbhlk"));
    layers.push_back(einsum("att.logits", {"att.qkv_split:0", "att.qkv_split:1"}, "bhlk,bhmk->bhlm"));
    Json softmax = with_dims(layer("att.weights", "Softmax", {"att.logits"}), "bhlm");
    softmax["axis"] = 3;
    layers.push_back(softmax);
    layers.push_back(einsum("att.scores", {"att.weights", "att.qkv_split:2"}, "bhlm,bhmk->bhlk"));
    layers.push_back(einsum("att.out", {"att.scores", weight({"heads", "d_model", "d_k"})}, "bhlk,hek->ble"));
  } else {
    // Llama, Mistral and BERT multiply by separate query, key and value matrices (q_proj, k_proj, v_proj; BERT's
    // query, key, value): three Einsums. Under grouped-query attention q has kv_heads groups of `group` heads.
    layers.push_back(einsum("att.q", {x, weight({"kv_heads", "group", "d_model", "d_k"})}, "ble,grek->bgrlk"));
    layers.push_back(einsum("att.k", {x, weight({"kv_heads", "d_model", "d_k"})}, "ble,gek->bglk"));
    layers.push_back(einsum("att.v", {x, weight({"kv_heads", "d_model", "d_k"})}, "ble,gek->bglk"));
    layers.push_back(einsum("att.logits", {"att.q", "att.k"}, "bgrlk,bgmk->bgrlm"));
    Json softmax = with_dims(layer("att.weights", "Softmax", {"att.logits"}), "bgrlm");
    softmax["axis"] = 4;
    layers.push_back(softmax);
    layers.push_back(einsum("att.scores", {"att.weights", "att.v"}, "bgrlm,bgmk->bgrlk"));
    layers.push_back(
        einsum("att.out", {"att.scores", weight({"kv_heads", "group", "d_model", "d_k"})}, "bgrlk,grek->ble"));
  }
  layers.push_back(with_dims(layer("att.residual", "Elementwise", {"x", "att.out"}), "ble"));
  std::string residual = "att.residual";
  if (!pre_norm) {
    layers.push_back(with_dims(layer("att.norm", "Norm", {residual}), "ble"));
    residual = "att.norm";
  }
  x = residual;
  if (pre_norm) {
    layers.push_back(with_dims(layer("ff.norm", "Norm", {x}), "ble"));
    x = "ff.norm";
  }
  std::string hidden;
  if (s.family == Family::kLlama) {  // SwiGLU: separate gate and up matrices (gate_proj, up_proj), silu(gate) * up
    layers.push_back(einsum("ff.gate", {x, weight({"d_model", "d_ff"})}, "ble,ef->blf"));
    layers.push_back(einsum("ff.up", {x, weight({"d_model", "d_ff"})}, "ble,ef->blf"));
    Json swiglu = with_dims(layer("ff.swiglu", "Elementwise", {"ff.gate", "ff.up"}), "blf");
    swiglu["pointwise_ops"] = 2;  // silu: a sigmoid and a multiply before the product
    layers.push_back(swiglu);
    hidden = "ff.swiglu";
  } else {  // GELU MLP, the gelu folded into ff.up as in gpt.json
    layers.push_back(einsum("ff.up", {x, weight({"d_model", "d_ff"})}, "ble,ef->blf", 2));
    hidden = "ff.up";
  }
  layers.push_back(einsum("ff.down", {hidden, weight({"d_ff", "d_model"})}, "blf,fe->ble"));
  layers.push_back(with_dims(layer("ff.residual", "Elementwise", {residual, "ff.down"}), "ble"));
  std::string output = "ff.residual";
  if (!pre_norm) {
    layers.push_back(with_dims(layer("ff.norm", "Norm", {output}), "ble"));
    output = "ff.norm";
  }
  return Json{{"inputs", {"x"}}, {"layers", layers}, {"output", output}};
}

Json model_document(const Shape& s, const std::string& arch, std::int64_t parameters) {
  Json doc;
  doc["format"] = "pase-model";
  doc["version"] = 1;
  doc["name"] = arch;
  doc["description"] =
      "Imported from a Hugging Face config.json (" + arch + "): " + std::to_string(parameters) +
      " parameters. Norms are the generic Norm, rotary embeddings (Llama, Mistral) and biases are folded away, "
      "BertModel's pooler (one token) is left out of the graph but counted in the parameters.";
  doc["parameters"] = parameters;
  doc["params"] = Json{{"batch", 32},
                       {"seq", std::min<std::int64_t>(s.positions, 4096)},
                       {"vocab", s.vocab},
                       {"d_model", s.d_model},
                       {"heads", s.heads},
                       {"kv_heads", s.kv_heads},
                       {"group", "heads / kv_heads"},
                       {"d_k", s.d_k},
                       {"d_ff", s.d_ff},
                       {"layers", s.layers}};
  doc["cutoff"] = 1;
  Json inputs = {{"ids", {"batch", "seq"}}};
  Json layers = Json::array();
  layers.push_back([&] {
    Json l = layer("embed", "Embedding", {"ids"});
    l["vocab"] = "vocab";
    l["dim"] = "d_model";
    return l;
  }());
  std::string x = "embed";
  if (s.family != Family::kLlama) {  // learned positions (and BERT's token types) added to the tokens
    doc["params"]["positions"] = s.positions;
    inputs["position_ids"] = {"batch", "seq"};
    Json pos = layer("pos_embed", "Embedding", {"position_ids"});
    pos["vocab"] = "positions";
    pos["dim"] = "d_model";
    layers.push_back(pos);
    layers.push_back(with_dims(layer("embed_sum", "Elementwise", {x, "pos_embed"}), "ble"));
    x = "embed_sum";
    if (s.family == Family::kBert) {
      doc["params"]["token_types"] = s.token_types;
      inputs["token_type_ids"] = {"batch", "seq"};
      Json types = layer("type_embed", "Embedding", {"token_type_ids"});
      types["vocab"] = "token_types";
      types["dim"] = "d_model";
      layers.push_back(types);
      layers.push_back(with_dims(layer("embed_types", "Elementwise", {x, "type_embed"}), "ble"));
      layers.push_back(with_dims(layer("embed_norm", "Norm", {"embed_types"}), "ble"));
      x = "embed_norm";
    }
  }
  doc["inputs"] = inputs;
  layers.push_back(Json{{"name", "blocks"}, {"block", "decoder"}, {"in", {x}}, {"repeat", "layers"}});
  x = "blocks";
  const bool lm_head = s.family != Family::kBert || s.masked_lm;
  if (s.family != Family::kBert) {
    layers.push_back(with_dims(layer("final_norm", "Norm", {x}), "ble"));
    x = "final_norm";
  } else if (s.masked_lm) {
    layers.push_back(einsum("mlm.transform", {x, weight({"d_model", "d_model"})}, "ble,ef->blf", 2));
    layers.push_back(with_dims(layer("mlm.norm", "Norm", {"mlm.transform"}), "ble"));
    x = "mlm.norm";
  }
  if (lm_head) {
    layers.push_back(einsum("logits", {x, weight({"d_model", "vocab"})}, "ble,ev->blv"));
    layers.push_back(with_dims(layer("loss", "SoftmaxCrossEntropy", {"logits"}), "blv"));
  }
  doc["layers"] = layers;
  doc["blocks"] = Json{{"decoder", decoder_block(s)}};
  return doc;
}

}  // namespace

bool is_hf_config(const Json& doc) { return doc.is_object() && doc.contains("architectures") && !doc.contains("format"); }

std::int64_t hf_parameter_count(const Json& config, const std::string& path) {
  return parameter_count(ConfigReader(config, path).read());
}

Json pase_model_from_hf_config(const Json& config, const std::string& path) {
  const Shape s = ConfigReader(config, path).read();
  return model_document(s, config["architectures"][0].get<std::string>(), parameter_count(s));
}

}  // namespace pase
