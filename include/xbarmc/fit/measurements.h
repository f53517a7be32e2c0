#pragma once
//! \file fit/measurements.h
//! The measurement CSV of `xbarmc fit` (format: docs/device-fit.md, section 1): one row per
//! read with columns device, cycle, target_uS (or level), time_s, g_uS and optional read,
//! row, col. Conductances in uS, times in s.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace xbarmc::fit {

//! One read of one device.
struct Read {
  std::size_t line = 0;     //!< line of the file (1-based, header = its own line)
  std::size_t device = 0;   //!< index into Measurements::devices
  std::int64_t cycle = 0;   //!< programming cycle
  double target_uS = 0;     //!< programmed target (uS); from `level` when that is given
  std::int64_t level = -1;  //!< level index when the file has a `level` column, else -1
  double time_s = 0;        //!< time after programming (s)
  double g_uS = 0;          //!< measured conductance (uS)
  std::int64_t read = 0;    //!< repeat index at the same time (0 when absent)
  std::int64_t row = -1;    //!< array row (-1 when absent)
  std::int64_t col = -1;    //!< array column (-1 when absent)
};

//! A parsed measurement file.
struct Measurements {
  std::string source;                //!< file name used in messages
  std::string sha256;                //!< SHA-256 of the file's bytes
  std::vector<std::string> columns;  //!< header columns in file order
  std::vector<std::string> devices;  //!< device ids in order of first appearance
  std::vector<Read> reads;           //!< every data row
  bool by_level = false;             //!< targets came from a `level` column
};

//! Column names the reader accepts.
const std::vector<std::string>& measurement_columns();

//! Parses CSV text. Throws InputError naming the line and column of the first problem:
//! unknown column (with a suggestion), missing column, non-numeric, NaN or infinite value,
//! negative conductance or time, duplicate row (same device, cycle, time_s, read), a device
//! with two targets in one cycle, fewer than two levels. With a `level` column, each level's
//! target is the median conductance of its reads at the earliest time.
Measurements parse_measurements(const std::string& text, const std::string& source);

//! Reads and parses a file (IoError when it cannot be read).
Measurements load_measurements(const std::filesystem::path& path);

//! Writes measurements as CSV with the columns device,cycle,target_uS,time_s,g_uS,read,row,col.
void write_measurements_csv(const Measurements& m, const std::filesystem::path& path);

}  // namespace xbarmc::fit
