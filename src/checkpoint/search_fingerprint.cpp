#include "pase/checkpoint/search_fingerprint.hpp"

#include <cstdio>
#include <cstring>
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

// A 64-bit hash of a sequence of 8-byte words, word by word (FNV-1a goes byte by byte, too slow
// for megabytes of cost tables). Every step is a bijection of the running value.
class WordHash {
 public:
  void add(std::uint64_t word) {
    h_ = ((h_ ^ word) << 29 | (h_ ^ word) >> 35) * 0x9e3779b97f4a7c15ULL;
    ++count_;
  }
  template <typename T>
  void add_all(const std::vector<T>& values) {
    add(values.size());
    for (const T& v : values) {
      std::uint64_t word = 0;
      std::memcpy(&word, &v, sizeof v);
      add(word);
    }
  }
  std::string text() const {
    char out[40];
    std::snprintf(out, sizeof out, "%016llx:%llu", static_cast<unsigned long long>(h_),
                  static_cast<unsigned long long>(count_));
    return out;
  }

 private:
  std::uint64_t h_ = 0x243f6a8885a308d3ULL;
  std::uint64_t count_ = 0;
};

// Every cost of the problem, bit for bit, and the plan's order and table shapes.
std::string problem_digest(const Problem& problem, const Plan& plan) {
  WordHash h;
  h.add(static_cast<std::uint64_t>(problem.vertex_count()));
  for (const auto& v : problem.vertices) h.add_all(v.costs);
  h.add(problem.edges.size());
  for (const auto& e : problem.edges) {
    h.add(static_cast<std::uint64_t>(e.from));
    h.add(static_cast<std::uint64_t>(e.to));
    h.add_all(*e.costs);
  }
  h.add_all(plan.order);
  for (const auto& step : plan.steps) {
    h.add_all(step.scope);
    h.add(static_cast<std::uint64_t>(step.split_vertex));
    h.add(static_cast<std::uint64_t>(step.consumer_step));
    h.add(step.entries);
  }
  Fingerprint f;
  f.add(h.text());
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
  static const std::vector<std::string> names = {"model", "model_content",      "parameters",    "cutoff",
                                                 "procs", "flops_tflops",       "bw_gbytes",     "parallel_edges",
                                                 "order", "cost_model_version", "problem_digest"};
  return names;
}

SearchFingerprint make_fingerprint(const SearchSettings& settings, const SearchRun& planned) {
  Fingerprint content;
  content.add(read_whole_file(settings.model_file, "model file"));
  const ProblemOptions& p = settings.problem;
  const std::vector<std::string> values = {planned.network.name,
                                           content.hex(),
                                           parameters_text(planned.network.params),
                                           std::to_string(planned.network.cutoff),
                                           std::to_string(p.procs),
                                           exact(p.cluster.flops_tflops),
                                           exact(p.cluster.bw_gbytes),
                                           p.parallel_edges == ParallelEdges::last ? "last" : "sum",
                                           to_string(planned.order),
                                           std::to_string(cost_model_version),
                                           problem_digest(planned.searched(), planned.plan)};
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
