// libFuzzer target: a sweep results file through read_results_file (src/sweep/results_file.cpp): the
// seal is checked before HDF5 parses anything, then the checksums and the rows. Bad files end in
// std::invalid_argument. (Fuzzing behind a valid seal, by sealing each mutated file, fuzzes HDF5
// itself: it found a damaged string dataset on which HDF5's H5Dread runs for minutes. The seal is
// what keeps damaged files from HDF5.)
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "pase/sweep/results_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = pase::fuzz::write_input("results.h5", data, size);
  try {
    (void)pase::read_results_file(path);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
