#pragma once
//! \file dist/interrupt.h
//! Turning SIGINT and SIGTERM (Ctrl-C, cluster preemption) into a flag that the engine polls
//! between work items, so a run can save its completed work and exit with code 3.

namespace xbarmc::dist {

//! Installs handlers for SIGINT and SIGTERM while alive; restores the previous ones after.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  //! True once SIGINT or SIGTERM arrived (async-signal-safe flag; any thread).
  static bool requested();
  //! The signal that arrived (0 = none).
  static int signal_number();
  //! Clears the flag (tests).
  static void reset();
};

}  // namespace xbarmc::dist
