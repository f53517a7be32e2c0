// libFuzzer target: the ONNX reader (protobuf parse, tensors, operators, shape checks). Built
// with XBARMC_FUZZ=ON. Every failure must be an xbarmc::Error (IoError or InputError) with a
// message; anything else escaping is a finding. Seeds: fuzz/corpus/onnx/.
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "xbarmc/nn/onnx_import.h"
#include "xbarmc/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    // No model folder: external data is refused, so the fuzzer never opens files.
    (void)xbarmc::nn::import_onnx_bytes(bytes, "fuzz.onnx", "", {});
  } catch (const xbarmc::Error&) {
    // Expected: a clear error for a malformed model.
  } catch (const std::exception& e) {
    std::cerr << "fuzz_onnx: escaped exception: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}
