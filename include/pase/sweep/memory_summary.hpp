#pragma once
// The devices' memory over a sweep (`pase report`): per series and device count, how many rows had a
// capacity, how many fit at all, where data parallelism and FSDP fit, how often the capacity search
// had to constrain the optimum, the recommended strategies' median peak and the largest proven gap.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "pase/sweep/speedup_summary.hpp"

namespace pase {

struct MemoryPoint {
  std::int64_t procs = 0;
  std::size_t rows = 0;                // with a capacity (finished or not fitting)
  std::size_t fit = 0;                 // some strategy fits (status ok)
  std::size_t data_parallel_fits = 0;
  std::size_t fsdp_fits = 0;
  std::size_t constrained = 0;         // fit, but the unconstrained optimum did not
  std::size_t pipelines = 0;           // fit, by the stage search (search.stages: auto: no capacity search)
  double median_bytes = 0;             // the recommended strategy's peak, over the rows that fit
  double largest_relative_gap = 0;     // the capacity search's proven gap, over the rows that fit
};

struct MemorySeries {
  std::string name;
  std::vector<MemoryPoint> points;  // ascending procs
};

// Over the rows that pass the filters and had a device capacity; empty when none had one.
std::vector<MemorySeries> memory_series(const ResultsTable& table, const std::vector<RowFilter>& filters,
                                        const std::vector<std::string>& series_columns = {"model"});

void print_memory_table(std::ostream& out, const std::vector<MemorySeries>& series);

}  // namespace pase
