#pragma once
//! \file io/summary_format.h
//! Text renderings of a results summary: an aligned table for people, JSON and CSV for scripts.

#include <string>

#include "xbarmc/io/results.h"

namespace xbarmc::io {

std::string summary_table(const ResultsSummary& s);  //!< readable table
std::string summary_json(const ResultsSummary& s);   //!< one JSON document
std::string summary_csv(const ResultsSummary& s);    //!< one row per (point, cycle, time)

}  // namespace xbarmc::io
