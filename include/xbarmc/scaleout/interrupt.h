#pragma once
//! \file scaleout/interrupt.h
//! Turning SIGINT, SIGTERM (Ctrl-C, cluster preemption) and SIGUSR1 (which Open MPI's mpirun
//! forwards to every rank, unlike SIGTERM, on which it kills the ranks) into a flag that the
//! engine polls between work items, so a run can save its completed work and exit with code 3.

namespace xbarmc::scaleout {

//! Installs handlers for SIGINT, SIGTERM and SIGUSR1 while alive; restores the previous ones
//! after.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  //! True once SIGINT, SIGTERM or SIGUSR1 arrived (async-signal-safe flag; any thread).
  static bool requested();
  //! The signal that arrived (0 = none).
  static int signal_number();
  //! Clears the flag (tests).
  static void reset();
};

}  // namespace xbarmc::scaleout
