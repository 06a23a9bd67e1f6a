#include "pase/checkpoint/search_fingerprint.hpp"

#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

#include "pase/cluster/cluster.hpp"
#include "pase/cost/cost_model_version.hpp"
#include "pase/io/hash.hpp"
#include "pase/io/whole_file.hpp"

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

// Words of a vector into a fingerprint, its length first.
template <typename T>
void add_all(Fingerprint& h, const std::vector<T>& values) {
  h.add_word(values.size());
  for (const T& v : values) {
    std::uint64_t word = 0;
    std::memcpy(&word, &v, sizeof v);
    h.add_word(word);
  }
}

// Every cost of the problem, bit for bit, and the plan's order and table shapes.
std::string problem_digest(const Problem& problem, const Plan& plan) {
  Fingerprint h;
  h.add_word(static_cast<std::uint64_t>(problem.vertex_count()));
  for (const auto& v : problem.vertices) add_all(h, v.costs);
  h.add_word(problem.edges.size());
  for (const auto& e : problem.edges) {
    h.add_word(static_cast<std::uint64_t>(e.from));
    h.add_word(static_cast<std::uint64_t>(e.to));
    add_all(h, *e.costs);
  }
  add_all(h, plan.order);
  for (const auto& step : plan.steps) {
    add_all(h, step.scope);
    h.add_word(static_cast<std::uint64_t>(step.split_vertex));
    h.add_word(static_cast<std::uint64_t>(step.consumer_step));
    h.add_word(step.entries);
  }
  return h.hex();
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
    if (it == b.end())
      add(name + "=" + value + " in the checkpoint, no such parameter now");
    else if (it->second != value)
      add(name + "=" + value + " in the checkpoint, " + name + "=" + it->second + " now");
  }
  for (const auto& [name, value] : b)
    if (!a.count(name)) add("no parameter " + name + " in the checkpoint, " + name + "=" + value + " now");
  return out;
}

}  // namespace

const std::vector<std::string>& fingerprint_field_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = {"model", "model_content", "parameters", "cutoff", "procs"};
    for (const ClusterField& field : cluster_fields()) n.push_back(field.key);
    n.insert(n.end(), {"parallel_edges", "order", "cost_model_version", "problem_digest"});
    return n;
  }();
  return names;
}

SearchFingerprint make_fingerprint(const SearchSettings& settings, const SearchRun& planned) {
  Fingerprint content;
  content.add(read_whole_file(settings.model_file, "model file"));
  const ProblemOptions& p = settings.problem;
  std::vector<std::string> values = {planned.network.name, content.hex(), parameters_text(planned.network.params),
                                     std::to_string(planned.network.cutoff), std::to_string(p.procs)};
  for (const ClusterField& field : cluster_fields()) values.push_back(exact(p.cluster.*field.value));
  values.insert(values.end(), {p.parallel_edges == ParallelEdges::last ? "last" : "sum", to_string(planned.order),
                               std::to_string(cost_model_version), problem_digest(planned.searched(), planned.plan)});
  SearchFingerprint f;
  for (std::size_t i = 0; i < values.size(); ++i) f.fields.push_back({fingerprint_field_names()[i], values[i]});
  return f;
}

std::string describe_differences(const SearchFingerprint& stored, const SearchFingerprint& current) {
  auto find = [](const SearchFingerprint& f, const std::string& name) {
    for (const auto& field : f.fields)
      if (field.name == name) return field.value;
    return std::string("(missing)");
  };
  // Another model: its content, parameters and cutoff differ too, which says nothing more.
  const bool other_model = find(stored, "model") != find(current, "model");
  std::string out;
  bool digest_differs = false;
  for (const auto& name : fingerprint_field_names()) {
    const std::string a = find(stored, name), b = find(current, name);
    if (a == b) continue;
    if (other_model && (name == "model_content" || name == "parameters" || name == "cutoff")) continue;
    if (name == "problem_digest") {
      digest_differs = true;
      continue;
    }
    const std::string text = name == "parameters"      ? "parameters: " + parameter_differences(a, b)
                             : name == "model_content" ? "model file content: " + a + " in the checkpoint, " + b +
                                                             " now (the file was edited)"
                                                       : name + ": " + a + " in the checkpoint, " + b + " now";
    out += (out.empty() ? "" : "; ") + text;
  }
  if (out.empty() && digest_differs)
    out =
        "the cost tables differ although the model and options agree (another cost model or build computed "
        "them)";
  return out;
}

}  // namespace pase
