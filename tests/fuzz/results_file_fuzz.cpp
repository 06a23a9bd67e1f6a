// libFuzzer target: a sweep results file through read_results_file (src/sweep/results_file.cpp): the
// seal is checked before HDF5 parses anything, then the checksums and the rows. Bad files end in
// std::invalid_argument. Inputs that start with "SEAL" are sealed after the mutation (the rest of
// the input is the file), so the fuzzer also reaches what lies behind a valid seal: HDF5's parser
// and the row checks.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "pase/sweep/results_file.hpp"
#include "pase/sweep/results_seal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool seal = size >= 4 && std::memcmp(data, "SEAL", 4) == 0;
  const std::string path = seal ? pase::fuzz::write_input("results.h5", data + 4, size - 4)
                                : pase::fuzz::write_input("results.h5", data, size);
  try {
    if (seal && size - 4 >= pase::results_seal_bytes) pase::seal_results_file(path);
    (void)pase::read_results_file(path);
  } catch (const std::invalid_argument&) {
  } catch (const std::runtime_error&) {  // sealing a file too short to hold a seal
    if (!seal) throw;
  }
  return 0;
}
