#include "xbarmc/scaleout/interrupt.h"

#include <atomic>
#include <csignal>

namespace xbarmc::scaleout {

namespace {

// A lock-free atomic is async-signal-safe to store from a handler (C++17 [support.signal]).
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

struct sigaction g_old_int {};
struct sigaction g_old_term {};
struct sigaction g_old_usr1 {};

extern "C" void on_signal(int sig) { g_signal.store(sig, std::memory_order_relaxed); }

}  // namespace

InterruptGuard::InterruptGuard() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
  sigaction(SIGUSR1, &sa, &g_old_usr1);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  sigaction(SIGUSR1, &g_old_usr1, nullptr);
}

bool InterruptGuard::requested() { return g_signal.load(std::memory_order_relaxed) != 0; }

int InterruptGuard::signal_number() { return g_signal.load(std::memory_order_relaxed); }

void InterruptGuard::reset() { g_signal.store(0, std::memory_order_relaxed); }

}  // namespace xbarmc::scaleout
