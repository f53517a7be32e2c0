#pragma once
//! \file util/version.h
//! Build provenance written into every results file and printed by `xbarmc --version`.

#include <string>

namespace xbarmc {
const char* version_string();       //!< semantic version of xbarmc, e.g. "0.1.0"
const char* git_sha();              //!< short git commit of the build, or "unknown"
const char* build_type();           //!< CMake build type
std::string compiler_string();      //!< compiler name and version
std::string dependency_versions();  //!< one line per dependency: "name version"
std::string boost_version();        //!< Boost version, e.g. "1.74.0"
}  // namespace xbarmc
