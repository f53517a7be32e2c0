#pragma once
//! \file runner/progress.h
//! A progress line on stderr (work items done, rate, ETA) when stderr is a terminal.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace xbarmc::runner {

class Progress {
 public:
  //! Starts reporting `total` items unless `quiet` or stderr is not a terminal.
  Progress(std::uint64_t total, bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  //! Marks one item done (thread-safe, lock-free).
  void tick() { done_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void loop();
  void print(bool final);
  std::uint64_t total_;
  std::atomic<std::uint64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  bool active_ = false;
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace xbarmc::runner
