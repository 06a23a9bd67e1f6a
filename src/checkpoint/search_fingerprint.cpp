#include "pase/checkpoint/search_fingerprint.hpp"

#include <cstdio>
#include <map>
#include <sstream>

#include "pase/cost/cost_model_version.hpp"
#include "pase/sweep/fingerprint.hpp"

namespace pase {

namespace {

std::string exact(double x) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
}

std::string parameters_text(const Parameters& params) {
  std::string s;
  for (const auto& [name, value] : params) s += (s.empty() ? "" : " ") + name + "=" + std::to_string(value);
  return s;
}

template <typename T>
std::string_view bytes_of(const std::vector<T>& values) {
  return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)};
}

// Every cost of the problem, bit for bit, and the plan's order and table shapes.
std::string problem_digest(const Problem& problem, const Plan& plan) {
  Fingerprint f;
  f.add(std::to_string(problem.vertex_count()) + " vertices " + std::to_string(problem.edges.size()) + " edges");
  for (const auto& v : problem.vertices) f.add(bytes_of(v.costs));
  for (const auto& e : problem.edges) {
    f.add(std::to_string(e.from) + "-" + std::to_string(e.to));
    f.add(bytes_of(*e.costs));  // main shares edge matrices (CostMatrix is a shared_ptr)
  }
  f.add(bytes_of(plan.order));
  for (const auto& step : plan.steps) {
    f.add(bytes_of(step.scope));
    f.add(std::to_string(step.split_vertex) + " " + std::to_string(step.consumer_step) + " " +
          std::to_string(step.entries));
  }
  return f.hex();
}

// "a=1 b=2" against "a=1 b=3": "b=2 in the checkpoint, b=3 now" for each differing name.
std::string parameter_differences(const std::string& stored, const std::string& current) {
  auto parse = [](const std::string& text) {
    std::map<std::string, std::string> m;
    std::istringstream in(text);
    std::string item;
    while (in >> item) {
      const auto eq = item.find('=');
      m[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
    }
    return m;
  };
  const auto a = parse(stored), b = parse(current);
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  for (const auto& [name, value] : a) {
    const auto it = b.find(name);
    if (it == b.end()) add(name + "=" + value + " in the checkpoint, no such parameter now");
    else if (it->second != value) add(name + "=" + value + " in the checkpoint, " + name + "=" + it->second + " now");
  }
  for (const auto& [name, value] : b)
    if (!a.count(name)) add("no parameter " + name + " in the checkpoint, " + name + "=" + value + " now");
  return out;
}

}  // namespace

const std::vector<std::string>& fingerprint_field_names() {
  static const std::vector<std::string> names = {
      "model",     "model_content",  "parameters", "cutoff",             "procs",         "flops_tflops",
      "bw_gbytes", "parallel_edges", "order",      "cost_model_version", "problem_digest"};
  return names;
}

SearchFingerprint make_fingerprint(const SearchSettings& settings, const SearchRun& planned) {
  Fingerprint content;
  content.add(read_whole_file(settings.model_file, "model file"));
  const ProblemOptions& p = settings.problem;
  const std::vector<std::string> values = {
      planned.network.name,
      content.hex(),
      parameters_text(planned.network.params),
      std::to_string(planned.network.cutoff),
      std::to_string(p.procs),
      exact(p.cluster.flops_tflops),
      exact(p.cluster.bw_gbytes),
      p.parallel_edges == ParallelEdges::last ? "last" : "sum",
      to_string(settings.order),
      std::to_string(cost_model_version),
      problem_digest(planned.model.problem, planned.plan)};
  SearchFingerprint f;
  for (std::size_t i = 0; i < values.size(); ++i) f.fields.push_back({fingerprint_field_names()[i], values[i]});
  return f;
}

std::string describe_differences(const SearchFingerprint& stored, const SearchFingerprint& current) {
  std::string out;
  bool digest_differs = false;
  for (const auto& name : fingerprint_field_names()) {
    auto find = [&](const SearchFingerprint& f) {
      for (const auto& field : f.fields)
        if (field.name == name) return field.value;
      return std::string("(missing)");
    };
    const std::string a = find(stored), b = find(current);
    if (a == b) continue;
    if (name == "problem_digest") {
      digest_differs = true;
      continue;
    }
    const std::string text = name == "parameters" ? "parameters: " + parameter_differences(a, b)
                             : name == "model_content"
                                 ? "model file content: " + a + " in the checkpoint, " + b + " now (the file was edited)"
                                 : name + ": " + a + " in the checkpoint, " + b + " now";
    out += (out.empty() ? "" : "; ") + text;
  }
  if (out.empty() && digest_differs)
    out = "the cost tables differ although the model and options agree (another cost model or build computed "
          "them)";
  return out;
}

}  // namespace pase
