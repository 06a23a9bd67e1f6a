#include "pase/sweep/speedup_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <ostream>
#include <stdexcept>

#include "pase/cluster/cluster.hpp"
#include "pase/sweep/csv_export.hpp"

namespace pase {

namespace {

std::vector<std::string> column_names(const ResultsMeta& meta) {
  std::vector<std::string> names = {"model", "procs"};
  for (const ClusterField& field : cluster_fields()) names.push_back(field.column);
  names.insert(names.end(), {"cluster", "status"});
  for (const auto& p : meta.param_columns) names.push_back(p);
  return names;
}

std::string column_text(const ResultsMeta& meta, const SweepRow& r, const std::string& column) {
  if (column == "model") return r.model;
  if (column == "procs") return std::to_string(r.procs);
  for (const ClusterField& field : cluster_fields())
    if (column == field.column) return exact_number(r.speeds.*field.value);
  if (column == "cluster") return r.cluster;
  if (column == "status") return r.status;
  for (std::size_t c = 0; c < meta.param_columns.size(); ++c)
    if (meta.param_columns[c] == column) return r.params[c] == missing_param ? "" : std::to_string(r.params[c]);
  std::string known;
  for (const auto& n : column_names(meta)) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("no column '" + column + "' in the results; columns: " + known);
}

bool matches(const std::string& have, const std::string& want) {
  if (have == want) return true;
  char* end_have = nullptr;
  char* end_want = nullptr;
  const double a = std::strtod(have.c_str(), &end_have), b = std::strtod(want.c_str(), &end_want);
  return !have.empty() && !want.empty() && *end_have == '\0' && *end_want == '\0' && a == b;
}

}  // namespace

RowFilter parse_filter(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument("--where '" + text + "': write COLUMN=VALUE, for example --where bw=16");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::vector<SweepRow> rows_matching(const ResultsTable& table, const std::vector<RowFilter>& filters) {
  SweepRow probe;
  probe.params.assign(table.meta.param_columns.size(), missing_param);
  for (const auto& f : filters) column_text(table.meta, probe, f.column);
  std::vector<SweepRow> rows;
  for (const auto& r : table.rows) {
    bool keep = true;
    for (const auto& f : filters) keep = keep && matches(column_text(table.meta, r, f.column), f.value);
    if (keep) rows.push_back(r);
  }
  return rows;
}

std::string series_name(const ResultsMeta& meta, const SweepRow& row, const std::vector<std::string>& series_columns) {
  std::string name;
  for (const auto& c : series_columns)
    name += (name.empty() ? "" : " ") + (c == "model" ? row.model : c + "=" + column_text(meta, row, c));
  return name;
}

std::vector<SpeedupSeries> speedup_series(const ResultsTable& table, const std::vector<RowFilter>& filters,
                                          const std::vector<std::string>& series_columns) {
  // Check the column names even when there are no rows.
  SweepRow probe;
  probe.params.assign(table.meta.param_columns.size(), missing_param);
  for (const auto& f : filters) column_text(table.meta, probe, f.column);
  for (const auto& c : series_columns) column_text(table.meta, probe, c);

  std::map<std::string, std::size_t> order;  // series in order of first appearance
  std::vector<std::map<std::int64_t, std::vector<double>>> values;
  std::vector<std::string> names;
  for (const auto& r : table.rows) {
    if (!r.ok() || !std::isfinite(r.speedup_over_data_parallel)) continue;
    bool keep = true;
    for (const auto& f : filters) keep = keep && matches(column_text(table.meta, r, f.column), f.value);
    if (!keep) continue;
    const std::string name = series_name(table.meta, r, series_columns);
    const auto [it, fresh] = order.try_emplace(name, names.size());
    if (fresh) {
      names.push_back(name);
      values.emplace_back();
    }
    values[it->second][r.procs].push_back(r.speedup_over_data_parallel);
  }
  std::vector<SpeedupSeries> out;
  for (std::size_t s = 0; s < names.size(); ++s) {
    SpeedupSeries series{names[s], {}};
    for (auto& [procs, v] : values[s]) {
      std::sort(v.begin(), v.end());
      const std::size_t n = v.size();
      const double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
      series.points.push_back({procs, n, median, v.front(), v.back()});
    }
    out.push_back(std::move(series));
  }
  return out;
}

void print_speedup_table(std::ostream& out, const std::vector<SpeedupSeries>& series) {
  std::size_t width = 6;
  for (const auto& s : series) width = std::max(width, s.name.size());
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %7s %6s %9s %9s %9s\n", static_cast<int>(width), "series", "procs", "rows",
                "median", "min", "max");
  out << line;
  for (const auto& s : series)
    for (const auto& p : s.points) {
      std::snprintf(line, sizeof line, "%-*s %7lld %6zu %9.4f %9.4f %9.4f\n", static_cast<int>(width), s.name.c_str(),
                    static_cast<long long>(p.procs), p.rows, p.median, p.min, p.max);
      out << line;
    }
  if (series.empty()) out << "(no finished rows match)\n";
}

}  // namespace pase
