// Walking the calling thread's robust list: the same on every family (the
// list is ours on Windows, the kernel's and glibc's on Linux), and it
// touches no OS.
#include <cstdint>
#include <cstring>

#include "platform/robust.hpp"

namespace mproc::platform {

bool robust_on_my_list(const RobustLink& link) noexcept {
  RobustHead* h = robust_head();
  auto id_of = [](const void* next_field) {
    uint64_t id;
    memcpy(&id, static_cast<const char*>(next_field) - sizeof(void*) - kRobustIdToLink, sizeof id);
    return id;
  };
  const uint64_t mine = id_of(&link.next);
  // The kernel gives up after this many entries; so do we, rather than
  // loop on a list a peer may have scribbled over.
  constexpr int kLimit = 2048;
  void* entry = h->list;
  for (int i = 0; i < kLimit; ++i) {
    void* at = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(entry) & ~uintptr_t{1});
    if (at == &h->list) return false;
    if (at == &link.next || id_of(at) == mine) return true;
    entry = *static_cast<void**>(at);
  }
  return false;
}

}  // namespace mproc::platform
