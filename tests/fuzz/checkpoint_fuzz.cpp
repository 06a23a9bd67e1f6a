// libFuzzer target: a checkpoint through CheckpointReader (src/checkpoint/checkpoint_reader.cpp):
// the seal, the header and every table's checksum (verify). Bad files end in CheckpointRefused.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/checkpoint/checkpoint_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = pase::fuzz::write_input("checkpoint.h5", data, size);
  pase::SingleProcess one;
  try {
    pase::CheckpointReader reader(path, one);
    reader.verify();
    reader.close();
  } catch (const std::invalid_argument&) {  // CheckpointRefused
  }
  return 0;
}
