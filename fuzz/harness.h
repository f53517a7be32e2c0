#pragma once
//! \file fuzz/harness.h
//! The bodies of the fuzz targets, shared by the libFuzzer binaries (fuzz/fuzz_*.cpp, clang,
//! XBARMC_FUZZ=ON) and the regression test that replays saved inputs without libFuzzer
//! (tests/unit/fuzz_regressions). Contract: a bad input may only end in an xbarmc::Error (a
//! typed, clear rejection). Any other exception, a crash, a sanitizer report, a hang or an
//! allocation of the size a hostile header announces is a bug.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "xbarmc/config/node.h"
#include "xbarmc/data/idx.h"
#include "xbarmc/fit/fit.h"
#include "xbarmc/fit/measurements.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/study/study.h"
#include "xbarmc/util/error.h"

namespace xbarmc::fuzz {

//! Outcome of one input.
enum class Outcome {
  Accepted,  //!< parsed without error
  Rejected,  //!< refused with an xbarmc::Error
};

//! Writes `data` to a per-process scratch file named after `tag` and returns its path (readers
//! under test take paths; /dev/shm keeps it in memory when available).
inline std::string scratch_file(const std::string& tag, const std::uint8_t* data,
                                std::size_t size) {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    std::error_code ec;
    return fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
  }();
  const fs::path path = dir / ("xbarmc-fuzz-" + std::to_string(::getpid()) + "-" + tag);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) throw std::runtime_error("fuzz harness: cannot write scratch file " + path.string());
  return path.string();
}

//! Config parser: the input is JSON text, optionally followed by NUL-separated `--set`
//! assignments ("/pointer=value"); parses and validates the study like `xbarmc validate`.
inline Outcome config_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const auto nul = all.find('\0');
  const std::string text(all.substr(0, nul));
  std::vector<std::string> sets;
  for (auto pos = nul; pos != std::string_view::npos && pos < all.size();) {
    const auto next = all.find('\0', pos + 1);
    sets.emplace_back(all.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1));
    pos = next;
  }
  try {
    // load_study reads from a file; the text goes through the same path as `xbarmc validate`.
    const std::string path = scratch_file(
        "config.json", reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    (void)study::load_study(path, sets);
    return Outcome::Accepted;
  } catch (const Error&) {
    return Outcome::Rejected;
  }
}

//! IDX reader: the input is the file's content (plain or gzip).
inline Outcome idx_input(const std::uint8_t* data, std::size_t size) {
  try {
    (void)data::read_idx(scratch_file("data.idx", data, size));
    return Outcome::Accepted;
  } catch (const Error&) {
    return Outcome::Rejected;
  }
}

//! HDF5 network reader: the input is the file's content.
inline Outcome network_input(const std::uint8_t* data, std::size_t size) {
  try {
    (void)nn::load_network(scratch_file("network.h5", data, size));
    return Outcome::Accepted;
  } catch (const Error&) {
    return Outcome::Rejected;
  }
}

//! Measurement CSV of `xbarmc fit`: the input is the file's text; a parsed file is also fitted
//! (both models), so the estimators see every accepted input.
inline Outcome fit_csv_input(const std::uint8_t* data, std::size_t size) {
  try {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const fit::Measurements m = fit::parse_measurements(text, "fuzz.csv");
    if (m.reads.size() <= 2000) {
      fit::FitOptions o;
      (void)fit::fit_measurements(m, o);
      o.model = fit::ModelKind::Parametric;
      (void)fit::fit_measurements(m, o);
    }
    return Outcome::Accepted;
  } catch (const Error&) {
    return Outcome::Rejected;
  }
}

}  // namespace xbarmc::fuzz
