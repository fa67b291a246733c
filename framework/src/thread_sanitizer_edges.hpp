#pragma once
// Happens-before edges for ThreadSanitizer around fnn's fork-join points.
//
// Debian's oneTBB is not built with -fsanitize=thread: TSan cannot see the atomics inside
// libtbb that hand a task to a worker and signal its end, so it would report data written by a
// task and read after the join (or written before the fork and read in a task) as races. Its
// reports then depended on whether TSan could still restore the worker's stack to match the
// libtbb suppression, which made them intermittent. These annotations state the two edges the
// library guarantees: everything before the fork happens before every task, and every task
// happens before everything after the join. Without TSan they compile to nothing.

#include "fnn/sanitizers.hpp"

#ifdef FNN_THREAD_SANITIZER
extern "C" void __tsan_acquire(void* address);  // NOLINT(bugprone-reserved-identifier)
extern "C" void __tsan_release(void* address);  // NOLINT(bugprone-reserved-identifier)
#endif

namespace fnn::detail {

class ForkJoinEdges {
 public:
#ifdef FNN_THREAD_SANITIZER
  void fork() { __tsan_release(&forked_); }
  void enter() { __tsan_acquire(&forked_); }
  void leave() { __tsan_release(&joined_); }
  void join() { __tsan_acquire(&joined_); }

 private:
  char forked_ = 0;
  char joined_ = 0;
#else
  void fork() {}
  void enter() {}
  void leave() {}
  void join() {}
#endif
};

}  // namespace fnn::detail
