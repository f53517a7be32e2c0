#include "xbarmc/runner/checkpointer.h"

#include <chrono>
#include <utility>

namespace xbarmc::runner {

Checkpointer::Checkpointer(double interval_s,
                           std::function<void(const study::StudyResults&)> on_checkpoint,
                           const study::StudyResults& results,
                           const std::vector<std::atomic<std::uint8_t>>& done)
    : interval_s_(interval_s), on_checkpoint_(std::move(on_checkpoint)), r_(results), done_(done) {
  if (interval_s_ > 0 && on_checkpoint_) thread_ = std::thread([this] { loop(); });
}

Checkpointer::~Checkpointer() {
  {
    const std::lock_guard lock(mutex_);
    finished_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::rethrow() const {
  if (error_) std::rethrow_exception(error_);
}

void Checkpointer::loop() {
  const auto interval = std::chrono::duration<double>(interval_s_);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval, [this] { return finished_; })) {
    lock.unlock();
    try {
      on_checkpoint_(snapshot());
    } catch (...) {  // reported by rethrow() after the run; no further checkpoints
      error_ = std::current_exception();
      return;
    }
    lock.lock();
  }
}

study::StudyResults Checkpointer::snapshot() const {
  study::StudyResults s = r_.empty_copy();
  s.interrupted = true;
  const study::ResultsShape shape = r_.shape();
  for (std::size_t p = 0; p < r_.points.size(); ++p)
    for (std::uint64_t i = 0; i < r_.instances; ++i)
      if (done_[study::item_index(p, i, r_.instances)].load(std::memory_order_acquire) != 0)
        s.points[p].copy_instance(r_.points[p], shape, i);
  return s;
}

}  // namespace xbarmc::runner
