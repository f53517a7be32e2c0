#pragma once
//! \file cli/app.h
//! The command line (CLI11): subcommands run, validate, train, summary, merge, spice.

namespace xbarmc::cli {
//! Parses `argv`, runs the chosen subcommand and returns the process exit code
//! (0 ok, 1 usage or configuration error, 2 input/output error, 3 interrupted).
int run_main(int argc, char** argv);
}  // namespace xbarmc::cli
