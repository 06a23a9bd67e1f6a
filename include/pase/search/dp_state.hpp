#pragma once
// What one rank holds of a DP between two steps: enough to write a checkpoint, and what a resumed
// search must be given back to go on.

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace pase {

// Back-substitution table of one step: the best configuration of its vertex per table entry,
// stored in 1, 2 or 4 bytes an entry.
struct ArgminTable {
  unsigned width = 1;
  std::vector<std::uint8_t> bytes;

  std::uint64_t size() const { return bytes.size() / width; }
  void resize(std::uint64_t entries) { bytes.assign(entries * width, 0); }
  std::uint32_t at(std::uint64_t i) const {
    switch (width) {
      case 1: return bytes[i];
      case 2: return reinterpret_cast<const std::uint16_t*>(bytes.data())[i];
      default: return reinterpret_cast<const std::uint32_t*>(bytes.data())[i];
    }
  }
};

// One rank's part of one step's results, in the step's global table coordinates.
struct StepData {
  std::vector<double> costs;       // entries [costs_origin, costs_origin + costs.size()); empty once consumed
  std::uint64_t costs_origin = 0;
  ArgminTable argmin;              // entries [argmin_origin, argmin_origin + argmin.size())
  std::uint64_t argmin_origin = 0;
};

struct DpState {
  int steps_done = 0;              // steps [0, steps_done) are finished
  double dp_minimum = 0.0;         // sum of the finished roots' minima
  std::vector<StepData> steps;     // one per plan step
};

// Told about progress after every step, by every rank at the same point, where stopping is safe.
class DpListener {
 public:
  virtual ~DpListener() = default;
  // Return true to stop the search here (solve then throws SearchInterrupted).
  virtual bool after_step(const DpState& state) = 0;
};

struct SearchInterrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace pase
