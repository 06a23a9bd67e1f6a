#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "pase/cli/commands.hpp"
#include "pase/cli/options.hpp"
#include "pase/io/atomic_replace.hpp"
#include "pase/io/output_path.hpp"
#include "pase/model/hf_config.hpp"
#include "pase/model/model_file.hpp"
#include "pase/model/onnx_import.hpp"

namespace pase::cli {

namespace {

using Json = nlohmann::ordered_json;

// The pase model document of an ONNX file or a Hugging Face config.json, with --set applied to its params.
Json imported_document(const std::string& path, const std::vector<std::string>& sets) {
  Json doc;
  if (is_onnx_path(path)) {
    doc = import_onnx(path, sets).document;
  } else {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument(path + ": cannot open the file (does it exist?)");
    std::stringstream text;
    text << in.rdbuf();
    Json config;
    try {
      config = Json::parse(text.str());
    } catch (const Json::parse_error& e) {
      throw std::invalid_argument(path + ": not valid JSON: " + e.what());
    }
    if (!is_hf_config(config))
      throw std::invalid_argument(path + ": neither an ONNX file (.onnx) nor a Hugging Face config.json (no "
                                         "'architectures' field); pase import reads those two");
    doc = pase_model_from_hf_config(config, path);
  }
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq != std::string::npos && doc["params"].contains(s.substr(0, eq))) {
      const std::string value = s.substr(eq + 1);
      const bool integer = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
      doc["params"][s.substr(0, eq)] = integer ? Json(std::stoll(value)) : Json(value);
    }
  }
  return doc;
}

}  // namespace

int import_command(int argc, char** argv, MpiRuntime& mpi) {
  po::options_description options("Options");
  options.add_options()("output,o", po::value<std::string>(), "the pase model file to write (required)")(
      "set", po::value<std::vector<std::string>>()->composing(), "name=value: a parameter (batch, seq, ...)");
  po::variables_map vm;
  if (!parse(argc, argv, options,
             "Usage: pase import MODEL.onnx|config.json --output MODEL.json [--set batch=N]\n"
             "Writes an ONNX file or a Hugging Face config.json as a pase model file (inputs/README.md) and\n"
             "prints its size: layers, parameters and forward multiply-accumulates per sample.",
             vm, true, "MODEL.onnx or config.json"))
    return exit_ok;
  if (!vm.count("output")) throw std::invalid_argument("--output: give the pase model file to write");
  const std::string path = vm["model"].as<std::string>(), output = vm["output"].as<std::string>();
  check_output_path("--output", output, {path});
  const auto sets = vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  // First what `pase search` will see (every layer and every --set value checked), then the document.
  const Network network = load_model(path, sets);
  const Json doc = imported_document(path, sets);
  if (mpi.rank() != 0) return exit_ok;
  const std::string tmp = temporary_path(output);
  {
    std::ofstream out(tmp);
    if (!out || !(out << doc.dump(1) << "\n"))
      throw std::invalid_argument("--output " + output + ": cannot write the file (is the folder writable?)");
  }
  replace_atomically(tmp, output);
  std::cout << "import     " << path << " -> " << output << ": " << network.layers.size() << " layers";
  if (doc.contains("parameters")) std::cout << ", " << doc["parameters"].get<std::int64_t>() << " parameters";
  if (doc.contains("forward_macs_per_sample"))
    std::cout << ", " << doc["forward_macs_per_sample"].get<double>() / 1e9 << " GMACs forward per sample";
  std::cout << "\n";
  return exit_ok;
}

}  // namespace pase::cli
