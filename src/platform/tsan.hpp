// What ThreadSanitizer can not see for itself: synchronisation that went
// through another process.
//
// TSan follows the atomics of this process. A queue producer may act on a
// position that a peer process loaded (with acquire) and left in a plain
// shared field; the release it pairs with was made by a thread of this
// process, but TSan never saw this thread acquire it and reports the reuse
// of the memory as a race. tsan_acquire(addr) tells TSan "what I do next
// was ordered by an acquire of the atomic at addr", which joins whatever
// this process's threads released there: no more and no less than the
// real order.
//
// Here, not under src/core, because it needs #if (the sanitizer is a build
// choice, not a platform) and src/core holds none (tests/platform_boundary.py);
// it names no OS, so every family shares it. Outside a TSan build it is
// an empty inline function and compiles away.
#pragma once

#if defined(__SANITIZE_THREAD__)  // GCC
#define MPROC_TSAN 1
#elif defined(__has_feature)  // clang (GCC 12 has no __has_feature: never || it above)
#if __has_feature(thread_sanitizer)
#define MPROC_TSAN 1
#endif
#endif

#if defined(MPROC_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

#include <atomic>

namespace mproc::platform {

inline void tsan_acquire(const void* addr) noexcept {
#if defined(MPROC_TSAN)
  __tsan_acquire(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}

// A fence of a seqlock over shared memory: acquire after a reader's
// optimistic copy of a container's block (the plain reads before it happen
// before the relaxed re-check of the generation after it), release between
// a writer marking a block odd and writing it. TSan does not model fences,
// and GCC says so with -Wtsan, an error in the -Werror TSan build; the
// warning is silenced here, at the seqlock's fences only, rather than for
// the build. What TSan misses costs nothing: a copy that raced a writer is
// thrown away when the generation check fails, and writers in other
// processes are invisible to TSan anyway.
inline void seqlock_fence(std::memory_order order) noexcept {
#if defined(MPROC_TSAN) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
  std::atomic_thread_fence(order);
#if defined(MPROC_TSAN) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
}

}  // namespace mproc::platform
