#include "pase/checkpoint/checkpoint_layout.hpp"

#include <cstdio>
#include <cstring>

#include "pase/io/hash.hpp"

namespace pase {

std::string table_dataset(int step, bool costs) {
  char name[48];
  std::snprintf(name, sizeof name, "/%s/step_%06d", costs ? "costs" : "argmin", step);
  return name;
}

std::string header_digest(const CheckpointHeader& h) {
  Fingerprint f;
  f.add(checkpoint_format_name);
  f.add(std::to_string(h.format_version));
  f.add(h.writer);
  f.add(h.model_file);
  for (const auto& field : h.fingerprint.fields) {
    f.add(field.name);
    f.add(field.value);
  }
  std::uint64_t minimum_bits = 0;
  std::memcpy(&minimum_bits, &h.dp_minimum, sizeof minimum_bits);
  for (std::uint64_t n : {h.steps_done, h.steps_total, h.cells_done, h.cells_total, minimum_bits})
    f.add(std::to_string(n));
  f.add(h.last_vertex);
  f.add(std::to_string(h.tables.size()));
  for (const auto& t : h.tables) {
    f.add(t.dataset);
    f.add(std::to_string(t.step) + (t.costs ? " costs " : " argmin ") + h5::to_string(t.element) + " " +
          std::to_string(t.entries) + " " + std::to_string(t.checksum));
    f.add(t.vertex);
  }
  return f.hex();
}

}  // namespace pase
