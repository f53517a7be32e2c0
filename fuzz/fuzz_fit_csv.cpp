// libFuzzer target: measurement CSV of `xbarmc fit` (see harness.h for the contract). Built with
// XBARMC_FUZZ=ON.
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)xbarmc::fuzz::fit_csv_input(data, size);
  } catch (const std::exception& e) {
    // Not an xbarmc::Error: an unclear "internal error" for the user. Report as a finding.
    std::cerr << "fuzz_fit_csv: escaped exception: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}
