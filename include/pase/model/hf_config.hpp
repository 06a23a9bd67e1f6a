#pragma once
// Hugging Face config.json files (LlamaForCausalLM, MistralForCausalLM, GPT2LMHeadModel, BertModel,
// BertForMaskedLM) read as pase model documents (inputs/README.md, "Hugging Face config.json").
// Errors are one line naming the file and the field, thrown as std::invalid_argument.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace pase {

// A JSON object with an "architectures" list and no "format": what transformers' save_pretrained writes.
bool is_hf_config(const nlohmann::ordered_json& doc);

// The model's weight count as transformers builds it (biases, norm gains, tied embeddings counted once).
std::int64_t hf_parameter_count(const nlohmann::ordered_json& config, const std::string& path);

// A pase model document (format pase-model, version 1) of the same layers; params batch and seq can be
// changed with --set. Its "parameters" field is hf_parameter_count.
nlohmann::ordered_json pase_model_from_hf_config(const nlohmann::ordered_json& config, const std::string& path);

}  // namespace pase
