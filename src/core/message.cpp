#include "core/message.hpp"

#include <cstdlib>
#include <new>

namespace mproc::core {

mproc_msg_s* message_alloc(size_t size) {
  if (size > SIZE_MAX - sizeof(mproc_msg_s)) throw std::bad_alloc();
  void* p = std::malloc(sizeof(mproc_msg_s) + size);
  if (p == nullptr) throw std::bad_alloc();
  auto* m = static_cast<mproc_msg_s*>(p);
  m->size = size;
  return m;
}

void message_free(mproc_msg_s* m) noexcept { std::free(m); }

}  // namespace mproc::core
