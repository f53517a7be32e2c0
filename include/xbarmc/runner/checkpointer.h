#pragma once
//! \file runner/checkpointer.h
//! Periodic snapshots of a running study for checkpoint files (docs/hpc.md): a helper thread
//! copies every completed work item while the workers go on.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "xbarmc/study/results.h"

namespace xbarmc::runner {

//! Calls `on_checkpoint` every `interval_s` seconds from its own thread with a copy of the
//! completed work items of `results` (others NotRun), until destroyed. A work item counts as
//! completed once its flag in `done` (global item index) is set with release order after its
//! slots were written; the snapshot reads the flag with acquire order, so it never sees a
//! half-written item.
class Checkpointer {
 public:
  //! No thread is started when `interval_s` <= 0 or `on_checkpoint` is empty.
  Checkpointer(double interval_s, std::function<void(const study::StudyResults&)> on_checkpoint,
               const study::StudyResults& results,
               const std::vector<std::atomic<std::uint8_t>>& done);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  //! Rethrows the exception of a failed checkpoint, if any (call after the workers ended).
  void rethrow() const;
  //! The completed items of the results now, marked `interrupted`.
  [[nodiscard]] study::StudyResults snapshot() const;

 private:
  void loop();
  double interval_s_;
  std::function<void(const study::StudyResults&)> on_checkpoint_;
  const study::StudyResults& r_;
  const std::vector<std::atomic<std::uint8_t>>& done_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool finished_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace xbarmc::runner
