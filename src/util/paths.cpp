#include "xbarmc/util/paths.h"

#include <system_error>

namespace xbarmc::util {

std::filesystem::path executable_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

}  // namespace xbarmc::util
