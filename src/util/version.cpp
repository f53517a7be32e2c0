#include "xbarmc/util/version.h"

#include <H5public.h>
#include <oneapi/tbb/version.h>

#include <Random123/features/compilerfeatures.h>
#include <CLI/Version.hpp>
#include <boost/version.hpp>
#include <nlohmann/json.hpp>
#include "xbarmc/util/eigen.h"

namespace xbarmc {

std::string compiler_string() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "g++ " __VERSION__;
#else
  return "unknown compiler";
#endif
}

std::string boost_version() {
  return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
         "." + std::to_string(BOOST_VERSION % 100);
}

std::string dependency_versions() {
  std::string s;
  s += "boost " + boost_version() + "\n";
  s += "tbb " + std::to_string(TBB_VERSION_MAJOR) + "." + std::to_string(TBB_VERSION_MINOR) + "\n";
  s += "hdf5 " + std::to_string(H5_VERS_MAJOR) + "." + std::to_string(H5_VERS_MINOR) + "." +
       std::to_string(H5_VERS_RELEASE) + "\n";
  s += "eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
       "." + std::to_string(EIGEN_MINOR_VERSION) + "\n";
  s += "nlohmann_json " + std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
       std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
       std::to_string(NLOHMANN_JSON_VERSION_PATCH) + "\n";
  s += std::string("cli11 ") + CLI11_VERSION + "\n";
  s += "random123 philox4x64-10\n";
  return s;
}

}  // namespace xbarmc
