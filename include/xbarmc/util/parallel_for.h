#pragma once
//! \file util/parallel_for.h
//! tbb::parallel_for over an index range that ThreadSanitizer can follow (scripts/tsan).

#include <oneapi/tbb/parallel_for.h>

#include <cstddef>

// GCC defines __SANITIZE_THREAD__ under -fsanitize=thread; clang 14 only answers __has_feature.
#if !defined(__SANITIZE_THREAD__) && defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define __SANITIZE_THREAD__ 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace xbarmc::util {

#if defined(__SANITIZE_THREAD__)
//! TSan sync objects of parallel_for_index, at fixed addresses.
inline char g_tsan_start = 0, g_tsan_end = 0;
//! Calls body(k) out of line, so its accesses stay instrumented.
template <class Body>
__attribute__((noinline)) void call_body(const Body& body, std::size_t k) {
  body(k);  // instrumented: every access of the work item is checked
}
#endif
//! tbb::parallel_for over [0, n): calls body(k) for every k, in parallel. Under ThreadSanitizer it
//! also declares what parallel_for guarantees, because TSan cannot see TBB hand tasks between
//! threads (libtbb is not instrumented): everything before the call happens before every body, and
//! every body happens before the return. Nothing is declared between bodies, so races between work
//! items are still reported (scripts/tsan).
template <class Body>
void parallel_for_index(std::size_t n, const Body& body) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(&g_tsan_start);
  // Not instrumented itself: its one access, the reference to `body` in its closure, comes
  // before the acquire can run.
  tbb::parallel_for(
      std::size_t{0}, n, [&](std::size_t k) __attribute__((no_sanitize_thread)) {
        __tsan_acquire(&g_tsan_start);
        call_body(body, k);
        __tsan_release(&g_tsan_end);
      });
  __tsan_acquire(&g_tsan_end);
#else
  tbb::parallel_for(std::size_t{0}, n, body);
#endif
}

}  // namespace xbarmc::util
