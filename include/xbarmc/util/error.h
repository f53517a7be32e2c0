#pragma once
//! \file util/error.h
//! Typed exceptions thrown by the library. Only `main` turns them into
//! messages and exit codes (see ExitCode).

#include <stdexcept>
#include <string>
#include <vector>

namespace xbarmc {

//! Process exit codes of the `xbarmc` executable.
enum class ExitCode : int {
  Ok = 0,             //!< success
  Usage = 1,          //!< command-line or configuration error
  Io = 2,             //!< input/output error (missing, unreadable, corrupt or unwritable file)
  Interrupted = 3,    //!< interrupted by a signal; the output is partial and resumable
  NumericalFault = 4  //!< stopped by the non-finite limits; the output is partial and resumable
};

//! Base class of all xbarmc errors.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  //! Exit code `main` uses for this error.
  [[nodiscard]] virtual ExitCode exit_code() const { return ExitCode::Usage; }
};

//! One problem found in a configuration: where (JSON pointer) and what.
struct ConfigIssue {
  std::string pointer;  //!< JSON pointer of the offending value ("" = document root)
  std::string message;  //!< constraint and value, in the user's terms
};

//! Invalid configuration or command line: carries every issue found, not only the first.
class ConfigError : public Error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  ConfigError(std::string pointer, std::string message);
  [[nodiscard]] const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

//! A file could not be read or written, or its content is malformed.
class IoError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] ExitCode exit_code() const override { return ExitCode::Io; }
};

//! The run was interrupted (SIGINT/SIGTERM); completed work was saved.
class InterruptedError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] ExitCode exit_code() const override { return ExitCode::Interrupted; }
};

//! Inconsistent input data detected by a model (shapes, values), reported as a usage error.
class InputError : public Error {
 public:
  using Error::Error;
};

}  // namespace xbarmc
