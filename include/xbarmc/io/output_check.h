#pragma once
//! \file io/output_check.h
//! Pre-flight check of an output path, so that a run that cannot write its results is refused
//! before the (possibly long) computation instead of failing at the end.

#include <string>

namespace xbarmc::io {

//! Throws IoError naming `path` unless its folder exists, is a folder, and a file can be created
//! in it (checked by creating and removing `<path>.tmp-probe-<pid>`). Does not touch `path`.
void check_output_writable(const std::string& path);

}  // namespace xbarmc::io
