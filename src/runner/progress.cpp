#include "xbarmc/runner/progress.h"

#include <unistd.h>

#include <cstdio>

namespace xbarmc::runner {

Progress::Progress(std::uint64_t total, bool quiet)
    : total_(total), start_(std::chrono::steady_clock::now()) {
  active_ = !quiet && total > 0 && ::isatty(STDERR_FILENO) == 1;
  if (active_) thread_ = std::thread([this] { loop(); });
}

Progress::~Progress() {
  if (!active_) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  print(true);
}

void Progress::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; }))
    print(false);
}

void Progress::print(bool final) {
  const std::uint64_t done = done_.load(std::memory_order_relaxed);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
  std::fprintf(stderr, "\r  %llu/%llu work items  %.1f/s  elapsed %.0f s  ETA %.0f s   %s",
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), rate,
               elapsed, eta, final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace xbarmc::runner
