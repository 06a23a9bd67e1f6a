#include "pase/model/model_file.hpp"

#include "pase/model/hf_config.hpp"
#include "pase/model/onnx_import.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "pase/json_depth.hpp"
#include "pase/limits.hpp"

namespace pase {

namespace {

using Json = nlohmann::ordered_json;

struct TensorValue {
  TensorSource source;
  Shape shape;
};

// What a name refers to: the outputs of a layer or block, or a graph input.
using Bindings = std::map<std::string, std::vector<TensorValue>>;

// The one place where other model file types become a pase model document.
Json as_pase_model(Json doc, const std::string& path) {
  if (is_hf_config(doc)) return pase_model_from_hf_config(doc, path);
  return doc;
}

class Loader {
 public:
  Loader(std::string path, const std::vector<std::string>& overrides) : path_(std::move(path)), overrides_(overrides) {}

  Network load() {
    Json doc = read_with_base(path_, 0);
    network_.file = path_;
    check_header(doc);
    read_params(doc);
    network_.cutoff = doc.contains("cutoff") ? integer(doc["cutoff"], "cutoff") : 4;
    if (network_.cutoff < 1) fail("field 'cutoff': must be at least 1");
    if (doc.contains("parameters")) network_.parameters = integer(doc["parameters"], "parameters");
    if (doc.contains("forward_macs_per_sample")) {
      if (!doc["forward_macs_per_sample"].is_number()) fail("field 'forward_macs_per_sample': must be a number");
      network_.forward_macs_per_sample = doc["forward_macs_per_sample"].get<double>();
    }
    if (doc.contains("blocks")) {
      if (!doc["blocks"].is_object()) fail("field 'blocks': must be an object of named blocks");
      blocks_ = doc["blocks"];
    }
    read_inputs(doc);
    if (!doc.contains("layers") || !doc["layers"].is_array() || doc["layers"].empty())
      fail("field 'layers': missing or empty; it must list the model's layers");
    Bindings top;
    expand(doc["layers"], "", top, 0);
    if (doc.contains("edges")) read_edges(doc["edges"]);
    return std::move(network_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw std::invalid_argument(path_ + ": " + what); }

  Json read_json(const std::string& path) const {
    if (is_onnx_path(path)) return import_onnx(path, overrides_).document;
    // /dev/zero would be read forever and a FIFO blocks: only regular files are model files.
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
      throw std::invalid_argument(path + ": is not a regular file (" + (S_ISDIR(st.st_mode) ? "a folder" : "a device or FIFO") +
                                  "); name a model file");
    std::ifstream in(path);
    if (!in) throw std::invalid_argument(path + ": cannot open the model file (does it exist?)");
    std::stringstream text;
    text << in.rdbuf();
    check_json_depth(text.str(), path);
    Json doc;
    try {
      doc = Json::parse(text.str());
    } catch (const Json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
      throw std::invalid_argument(path + ": not valid JSON: " + e.what());
    }
    return as_pase_model(std::move(doc), path);
  }

  // A file that `extends` another starts from it; its own params override the base's.
  Json read_with_base(const std::string& path, int depth) const {
    Json doc = read_json(path);
    if (!doc.is_object()) throw std::invalid_argument(path + ": the model file must be a JSON object");
    if (!doc.contains("extends")) return doc;
    if (depth > 8) throw std::invalid_argument(path + ": field 'extends': chain too long (a loop?)");
    if (!doc["extends"].is_string()) throw std::invalid_argument(path + ": field 'extends': must be a file path");
    const std::string base_name = doc["extends"].get<std::string>();
    if (base_name.empty()) throw std::invalid_argument(path + ": field 'extends': is empty; name the base model file");
    const auto base_path = (std::filesystem::path(path).parent_path() / base_name).string();
    struct stat st{};
    if (::stat(base_path.c_str(), &st) != 0)
      throw std::invalid_argument(path + ": field 'extends': " + base_path + " does not exist; name the base model file (relative to this file's folder)");
    if (!S_ISREG(st.st_mode))
      throw std::invalid_argument(path + ": field 'extends': " + base_path + " is not a regular file (" +
                                  (S_ISDIR(st.st_mode) ? "a folder" : "a device or FIFO") + "); name the base model file");
    if (st.st_size == 0) throw std::invalid_argument(path + ": field 'extends': " + base_path + " is empty; name the base model file");
    Json base = read_with_base(base_path, depth + 1);
    for (auto& [key, value] : doc.items()) {
      if (key == "extends") continue;
      if (key == "params" && value.is_object() && base.contains("params")) {
        for (auto& [name, v] : value.items()) base["params"][name] = v;
      } else {
        base[key] = value;
      }
    }
    return base;
  }

  void check_header(const Json& doc) {
    if (!doc.contains("format") || doc["format"] != "pase-model") fail("field 'format': must be \"pase-model\"");
    if (!doc.contains("version") || doc["version"] != 1)
      fail("field 'version': must be 1 (this pase reads model format version 1)");
    if (!doc.contains("name") || !doc["name"].is_string()) fail("field 'name': missing; give the model a name");
    network_.name = doc["name"].get<std::string>();
  }

  void read_params(const Json& doc) {
    std::map<std::string, std::string> given;
    for (const auto& o : overrides_) {
      const auto eq = o.find('=');
      if (eq == std::string::npos || eq == 0) throw std::invalid_argument("--set '" + o + "': use --set name=value");
      given[o.substr(0, eq)] = o.substr(eq + 1);
    }
    if (doc.contains("params")) {
      if (!doc["params"].is_object()) fail("field 'params': must be an object of named integers");
      for (const auto& [name, value] : doc["params"].items()) {
        const auto it = given.find(name);
        if (it != given.end()) {
          network_.params[name] = expression(it->second, "--set " + name);
          given.erase(it);
        } else {
          network_.params[name] = integer(value, "params." + name);
        }
      }
    }
    if (!given.empty()) {
      std::string known;
      for (const auto& [name, value] : network_.params) known += (known.empty() ? "" : ", ") + name;
      throw std::invalid_argument("--set " + given.begin()->first + ": " + path_ + " has no parameter '" +
                                  given.begin()->first + "' (it has: " + (known.empty() ? "none" : known) + ")");
    }
  }

  // `layer`, when given, names the layer the field belongs to.
  std::string field_name(const std::string& field, const std::string& layer) const {
    return (layer.empty() ? "" : where(layer)) + "field '" + field + "'";
  }

  std::int64_t expression(const std::string& text, const std::string& field, const std::string& layer = "") const {
    try {
      return evaluate_expression(text, network_.params);
    } catch (const std::invalid_argument& e) {
      fail(field_name(field, layer) + ": " + e.what());
    }
  }

  std::int64_t integer(const Json& v, const std::string& field, const std::string& layer = "") const {
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_string()) return expression(v.get<std::string>(), field, layer);
    fail(field_name(field, layer) + ": must be an integer or an expression over the parameters");
  }

  Shape shape(const Json& v, const std::string& field, const std::string& layer = "") const {
    if (!v.is_array() || v.empty()) fail(field_name(field, layer) + ": must be a non-empty list of dimensions");
    Shape s;
    for (const auto& d : v) {
      s.push_back(integer(d, field, layer));
      if (s.back() < 1)
        fail(field_name(field, layer) + ": dimension " + std::to_string(s.back()) + " must be at least 1");
    }
    return s;
  }

  void read_inputs(const Json& doc) {
    if (!doc.contains("inputs")) return;
    if (!doc["inputs"].is_object()) fail("field 'inputs': must be an object: name -> shape");
    for (const auto& [name, value] : doc["inputs"].items())
      graph_inputs_[name] = {TensorValue{{-1, 0}, shape(value, "inputs." + name)}};
  }

  std::string where(const std::string& layer) const { return "layer '" + layer + "': "; }

  TensorValue resolve(const Json& ref, const Bindings& scope, const std::string& layer) const {
    if (ref.is_object()) {
      if (!ref.contains("shape")) fail(where(layer) + "field 'in': an inline tensor needs a 'shape'");
      return {{-1, 0, true}, shape(ref["shape"], "in", layer)};
    }
    if (!ref.is_string()) fail(where(layer) + "field 'in': entries must be tensor names or {\"shape\": [...]}");
    std::string name = ref.get<std::string>();
    std::size_t output = 0;
    if (const auto colon = name.rfind(':'); colon != std::string::npos) {
      try {
        output = std::stoul(name.substr(colon + 1));
      } catch (const std::exception&) {
        fail(where(layer) + "field 'in': '" + name + "' is not NAME or NAME:INDEX");
      }
      name = name.substr(0, colon);
    }
    const std::vector<TensorValue>* outputs = nullptr;
    if (const auto it = scope.find(name); it != scope.end()) outputs = &it->second;
    else if (const auto g = graph_inputs_.find(name); g != graph_inputs_.end()) outputs = &g->second;
    if (!outputs) fail(where(layer) + "field 'in': no tensor named '" + name + "' is defined before this layer");
    if (output >= outputs->size())
      fail(where(layer) + "field 'in': '" + name + "' has " + std::to_string(outputs->size()) + " output(s), not " +
           std::to_string(output + 1));
    return (*outputs)[output];
  }

  void expand(const Json& layers, const std::string& prefix, Bindings& scope, int depth) {
    if (depth > 16) fail("blocks nest too deeply (a block that uses itself?)");
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const Json& spec = layers[i];
      if (!spec.is_object() || !spec.contains("name") || !spec["name"].is_string())
        fail("layer " + std::to_string(i) + " under '" + (prefix.empty() ? "layers" : prefix) + "': needs a 'name'");
      const std::string local = spec["name"].get<std::string>();
      if (local.empty() || local.find(':') != std::string::npos)
        fail("layer '" + local + "': field 'name': must be non-empty and without ':'");
      if (scope.count(local)) fail(where(prefix + local) + "field 'name': used twice");
      std::vector<TensorValue> in;
      if (spec.contains("in")) {
        if (!spec["in"].is_array()) fail(where(prefix + local) + "field 'in': must be a list");
        for (const auto& ref : spec["in"]) in.push_back(resolve(ref, scope, prefix + local));
      }
      if (spec.contains("block")) scope[local] = instantiate(spec, prefix + local, in, depth);
      else if (spec.contains("op")) scope[local] = add_layer(spec, prefix + local, in);
      else fail(where(prefix + local) + "needs an 'op' (or a 'block')");
    }
  }

  std::vector<TensorValue> instantiate(const Json& spec, const std::string& name, std::vector<TensorValue> in,
                                       int depth) {
    if (!spec["block"].is_string() || !blocks_.contains(spec["block"].get<std::string>()))
      fail(where(name) + "field 'block': no block named " + spec["block"].dump());
    const Json& block = blocks_[spec["block"].get<std::string>()];
    for (const auto& [key, value] : spec.items())
      if (key != "name" && key != "block" && key != "in" && key != "repeat")
        fail(where(name) + "field '" + key + "': a layer that instantiates a block takes only 'name', 'block', 'in' "
             "and 'repeat' (the block's layers have their own)");
    if (!block.contains("inputs") || !block["inputs"].is_array() || !block.contains("layers") ||
        !block.contains("output") || !block["output"].is_string())
      fail("block " + spec["block"].dump() + ": needs 'inputs' (a list), 'layers' and 'output'");
    const std::string block_field = "blocks." + spec["block"].get<std::string>();
    for (std::size_t k = 0; k < block["inputs"].size(); ++k)
      if (!block["inputs"][k].is_string())
        fail("field '" + block_field + ".inputs[" + std::to_string(k) + "]': must be a string (an input's name), not " +
             block["inputs"][k].dump());
    if (!block["layers"].is_array() || block["layers"].empty())
      fail("field '" + block_field + ".layers': must be a non-empty list of layers");
    if (block["inputs"].size() != in.size())
      fail(where(name) + "field 'in': block " + spec["block"].dump() + " takes " + std::to_string(block["inputs"].size()) +
           " input(s), got " + std::to_string(in.size()));
    const auto repeat = spec.contains("repeat") ? integer(spec["repeat"], "repeat", name) : 1;
    if (repeat < 1) fail(where(name) + "field 'repeat': must be at least 1");
    if (repeat > limits::kMaxBlockRepeat)
      fail(where(name) + "field 'repeat': " + std::to_string(repeat) + " is more than the limit of " +
           std::to_string(limits::kMaxBlockRepeat));
    TensorValue out;
    for (std::int64_t r = 0; r < repeat; ++r) {
      Bindings inner;
      for (std::size_t k = 0; k < in.size(); ++k) inner[block["inputs"][k].get<std::string>()] = {in[k]};
      expand(block["layers"], name + "." + std::to_string(r) + ".", inner, depth + 1);
      out = resolve(block["output"], inner, name);
      if (!in.empty()) in[0] = out;
    }
    return {out};
  }

  Attributes attributes(const Json& spec, const std::string& layer) const {
    static const std::set<std::string> reserved = {"name", "op", "in", "dims"};
    Attributes a;
    for (const auto& [key, value] : spec.items()) {
      if (reserved.count(key)) continue;
      const std::string field = where(layer) + "field '" + key + "'";
      if (key == "equation") {
        if (!value.is_string()) fail(field + ": must be a string like \"ble,ef->blf\"");
        a.set_string(key, value.get<std::string>());
      } else if (value.is_boolean()) {
        a.set_bool(key, value.get<bool>());
      } else if (key == "costs") {
        if (!value.is_array()) fail(field + ": must be a list of numbers");
        std::vector<double> numbers;
        for (const auto& x : value) {
          if (!x.is_number()) fail(field + ": must be a list of numbers");
          numbers.push_back(x.get<double>());
        }
        a.set_numbers(key, numbers);
      } else if (key == "configs") {
        if (!value.is_array() || value.empty() || !value[0].is_array()) fail(field + ": must be a list of lists");
        std::vector<std::int64_t> flat;
        for (const auto& row : value) {
          if (!row.is_array() || row.size() != value[0].size()) fail(field + ": rows must have the same length");
          for (const auto& x : row) flat.push_back(integer(x, key, layer));
        }
        a.set_ints("config_width", {static_cast<std::int64_t>(value[0].size())});
        a.set_ints(key, flat);
      } else if (value.is_array()) {
        std::vector<std::int64_t> ints;
        for (const auto& x : value) ints.push_back(integer(x, key, layer));
        a.set_ints(key, ints);
      } else {
        a.set_ints(key, {integer(value, key, layer)});
      }
    }
    return a;
  }

  std::vector<TensorValue> add_layer(const Json& spec, const std::string& name, const std::vector<TensorValue>& in) {
    if (!spec["op"].is_string()) fail(where(name) + "field 'op': must be an operator name");
    const std::string op = spec["op"].get<std::string>();
    if (op == "Reshape") {
      if (spec.contains("dims"))
        fail(where(name) + "field 'dims': a Reshape takes no 'dims' (its dimensions follow from 'shape'); remove it");
      const auto flat = add_layer(Json{{"op", "Ravel"}}, name + ".ravel", in);
      Json unravel = spec;
      unravel["op"] = "Unravel";
      unravel.erase("in");
      return add_layer(unravel, name, flat);
    }
    if (!is_known_operator(op)) fail(where(name) + "field 'op': unknown operator '" + op + "' (see inputs/README.md)");
    if (op == "Embedding" && (in.size() != 1 || in[0].source.layer >= 0))
      fail(where(name) + "field 'in': Embedding reads token ids from a graph input, not from a layer");
    if (!layer_names_.insert(name).second) fail(where(name) + "field 'name': used twice");
    std::vector<Shape> shapes;
    for (const auto& t : in) shapes.push_back(t.shape);
    const Attributes attrs = attributes(spec, name);
    std::unique_ptr<Operator> model;
    try {
      model = make_operator(op, shapes, attrs);
      if (spec.contains("dims")) {
        if (!spec["dims"].is_string()) throw std::invalid_argument("field 'dims': must be a string of letters");
        model->rename_letters(spec["dims"].get<std::string>());
      }
    } catch (const std::invalid_argument& e) {
      fail(where(name) + e.what());
    }
    if (const auto unused = attrs.unread(); !unused.empty())
      fail(where(name) + "field '" + unused.front() + "': not an attribute of " + op + " (see inputs/README.md)");
    std::string signature = op + "|" + model->letters() + "|" + attrs.canonical() + "|";
    for (const auto& shape : shapes) {
      for (auto d : shape) signature += std::to_string(d) + ",";
      signature += ";";
    }
    if (network_.layers.size() >= limits::kMaxLayers)
      fail(where(name) + "the model expands to more than " + std::to_string(limits::kMaxLayers) +
           " layers; lower 'repeat' or the layer count");
    Layer layer{name, op, {}, std::shared_ptr<const Operator>(std::move(model)), std::move(signature)};
    const int index = static_cast<int>(network_.layers.size());
    for (const auto& t : in) layer.inputs.push_back(t.source);
    std::vector<TensorValue> outputs;
    for (std::size_t j = 0; j < layer.model->output_shapes().size(); ++j)
      outputs.push_back({{index, static_cast<int>(j)}, layer.model->output_shapes()[j]});
    network_.layers.push_back(std::move(layer));
    return outputs;
  }

  int layer_index(const Json& name, const std::string& field) const {
    if (name.is_string())
      for (std::size_t i = 0; i < network_.layers.size(); ++i)
        if (network_.layers[i].name == name.get<std::string>()) return static_cast<int>(i);
    fail("field '" + field + "': no layer named " + name.dump());
  }

  void read_edges(const Json& edges) {
    if (!edges.is_array()) fail("field 'edges': must be a list of {\"from\", \"to\", \"costs\"}");
    for (std::size_t i = 0; i < edges.size(); ++i) {
      const std::string field = "edges[" + std::to_string(i) + "]";
      const Json& e = edges[i];
      if (!e.is_object() || !e.contains("from") || !e.contains("to") || !e.contains("costs"))
        fail("field '" + field + "': needs 'from', 'to' and 'costs'");
      ExplicitEdge edge{layer_index(e["from"], field + ".from"), layer_index(e["to"], field + ".to"), {}};
      if (edge.from == edge.to) fail("field '" + field + "': an edge must join two different layers");
      if (!e["costs"].is_array()) fail("field '" + field + ".costs': must be a matrix (list of rows)");
      for (const auto& row : e["costs"]) {
        if (!row.is_array()) fail("field '" + field + ".costs': must be a matrix (list of rows)");
        std::vector<double> r;
        for (const auto& x : row) {
          if (!x.is_number()) fail("field '" + field + ".costs': entries must be numbers");
          r.push_back(x.get<double>());
          if (!(r.back() >= 0 && r.back() <= limits::kMaxMeasuredCost))
            fail("field '" + field + ".costs': " + x.dump() + " is not a cost from 0 to 1e30");
        }
        edge.costs.push_back(std::move(r));
      }
      network_.edges.push_back(std::move(edge));
    }
  }

  std::string path_;
  const std::vector<std::string>& overrides_;
  Network network_;
  Json blocks_ = Json::object();
  Bindings graph_inputs_;
  std::set<std::string> layer_names_;
};

}  // namespace

Network load_model(const std::string& path, const std::vector<std::string>& overrides) {
  try {
    return Loader(path, overrides).load();
  } catch (const Json::exception& e) {
    // A value of an unexpected JSON type somewhere the loader did not check it field by field.
    throw std::invalid_argument(path + ": a field has the wrong type: " + e.what());
  } catch (const std::invalid_argument& e) {
    // A --set value can be what made a dimension or a product too big: say which values were set.
    if (overrides.empty()) throw;
    std::string set;
    for (const auto& o : overrides) set += " --set " + o;
    throw std::invalid_argument(std::string(e.what()) + " (with" + set + "; try smaller values)");
  }
}

}  // namespace pase
