#include "pase/sweep/memory_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>

namespace pase {

std::vector<MemorySeries> memory_series(const ResultsTable& table, const std::vector<RowFilter>& filters,
                                        const std::vector<std::string>& series_columns) {
  struct Gathered {
    MemoryPoint point;
    std::vector<double> bytes;
  };
  std::map<std::string, std::size_t> order;  // series in order of first appearance
  std::vector<std::string> names;
  std::vector<std::map<std::int64_t, Gathered>> gathered;
  for (const SweepRow& r : rows_matching(table, filters)) {
    if (!r.memory.checked() || (!r.ok() && r.status != "does_not_fit")) continue;
    const std::string name = series_name(table.meta, r, series_columns);
    const auto [it, fresh] = order.try_emplace(name, names.size());
    if (fresh) {
      names.push_back(name);
      gathered.emplace_back();
    }
    Gathered& g = gathered[it->second][r.procs];
    MemoryPoint& p = g.point;
    p.procs = r.procs;
    ++p.rows;
    p.data_parallel_fits += r.memory.data_parallel_fits ? 1 : 0;
    p.fsdp_fits += r.memory.fsdp_fits ? 1 : 0;
    if (!r.ok()) continue;
    ++p.fit;
    g.bytes.push_back(r.memory.memory_per_device_bytes);
    if (r.pipeline.present()) {
      ++p.pipelines;
      continue;
    }
    p.constrained += r.memory.unconstrained_fits ? 0 : 1;
    p.largest_relative_gap = std::max(p.largest_relative_gap, r.memory.relative_gap);
  }
  std::vector<MemorySeries> out;
  for (std::size_t s = 0; s < names.size(); ++s) {
    MemorySeries series{names[s], {}};
    for (auto& [procs, g] : gathered[s]) {
      std::vector<double>& v = g.bytes;
      std::sort(v.begin(), v.end());
      const std::size_t n = v.size();
      if (n > 0) g.point.median_bytes = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
      series.points.push_back(g.point);
    }
    out.push_back(std::move(series));
  }
  return out;
}

void print_memory_table(std::ostream& out, const std::vector<MemorySeries>& series) {
  std::size_t width = 6;
  for (const auto& s : series) width = std::max(width, s.name.size());
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %7s %6s %6s %8s %6s %11s %10s %8s\n", static_cast<int>(width), "series",
                "procs", "rows", "fit", "dp_fits", "fsdp", "constrained", "median_GB", "max_gap");
  out << line;
  for (const auto& s : series)
    for (const auto& p : s.points) {
      char median[32] = "-", gap[32] = "-";
      if (p.fit > 0) {
        std::snprintf(median, sizeof median, "%.2f", p.median_bytes / 1e9);
        if (p.pipelines < p.fit) std::snprintf(gap, sizeof gap, "%.3f%%", 100.0 * p.largest_relative_gap);
      }
      std::snprintf(line, sizeof line, "%-*s %7lld %6zu %6zu %8zu %6zu %11zu %10s %8s\n", static_cast<int>(width),
                    s.name.c_str(), static_cast<long long>(p.procs), p.rows, p.fit, p.data_parallel_fits, p.fsdp_fits,
                    p.constrained, median, gap);
      out << line;
    }
}

}  // namespace pase
