#include "core/message.hpp"

#include <cstdlib>
#include <new>

void mproc_msg_s::clear() noexcept {
  std::free(bytes);
  bytes = nullptr;
  size = 0;
}

namespace mproc::core {

mproc_msg_s* message_alloc(size_t size) {
  // One byte at least, so that data() is never NULL, as for any message.
  void* bytes = std::malloc(size > 0 ? size : 1);
  if (bytes == nullptr) throw std::bad_alloc();
  mproc_msg_s* m;
  try {
    m = HandleArena<mproc_msg_s>::make();
  } catch (...) {
    std::free(bytes);
    throw;
  }
  m->bytes = static_cast<unsigned char*>(bytes);
  m->size = size;
  return m;
}

bool message_free(mproc_msg_s* m) noexcept {
  return m != nullptr && HandleArena<mproc_msg_s>::destroy(m);
}

}  // namespace mproc::core
