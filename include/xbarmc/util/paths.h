#pragma once
//! \file util/paths.h
//! Where the running program is, for data files installed next to it (relocatable installs).

#include <filesystem>

namespace xbarmc::util {

//! Folder of the running executable (from /proc/self/exe); empty when it cannot be read.
std::filesystem::path executable_dir();

}  // namespace xbarmc::util
