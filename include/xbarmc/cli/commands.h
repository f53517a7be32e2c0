#pragma once
//! \file cli/commands.h
//! One function per subcommand, each in its own source file under src/cli/.
//! Each adds its subcommand to `app` with options and a callback; callbacks
//! throw xbarmc::Error subclasses, which run_main maps to exit codes.

namespace CLI {
class App;
}

namespace xbarmc::cli {
void add_validate_command(CLI::App& app);   //!< xbarmc validate CONFIG
void add_run_command(CLI::App& app);        //!< xbarmc run CONFIG ...
void add_train_command(CLI::App& app);      //!< xbarmc train CONFIG
void add_summary_command(CLI::App& app);    //!< xbarmc summary RESULTS.h5
void add_merge_command(CLI::App& app);      //!< xbarmc merge OUT SHARDS...
void add_spice_command(CLI::App& app);      //!< xbarmc spice CONFIG ...
void add_fit_command(CLI::App& app);        //!< xbarmc fit MEASUREMENTS.csv -o DEVICE.json
void add_fit_synth_command(CLI::App& app);  //!< xbarmc fit-synth DEVICE.json -o OUT.csv
void add_import_command(CLI::App& app);     //!< xbarmc import MODEL.onnx -o NET.h5
}  // namespace xbarmc::cli
