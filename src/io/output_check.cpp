#include "xbarmc/io/output_check.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "xbarmc/util/error.h"

namespace xbarmc::io {

void check_output_writable(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  if (!fs::exists(dir, ec))
    throw IoError(path + ": output folder " + dir.string() + " does not exist");
  if (!fs::is_directory(dir, ec))
    throw IoError(path + ": cannot write here: " + dir.string() + " is not a folder");
  if (fs::is_directory(target, ec))
    throw IoError(path + ": cannot write the results file: it is a folder");
  const std::string probe = path + ".tmp-probe-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (f == nullptr) {
    const int err = errno;
    throw IoError(path + ": cannot create a file in " + dir.string() + " (" + std::strerror(err) +
                  "); checked before the run");
  }
  std::fclose(f);
  fs::remove(probe, ec);
}

}  // namespace xbarmc::io
