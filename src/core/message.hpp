// A received message: one allocation holding the size and the bytes, handed
// to the caller as an mproc_msg_t and freed with mproc_msg_free. Shared by
// connections and queues.
#pragma once

#include <mproc/common.h>

#include <cstddef>

struct mproc_msg_s {
  size_t size;
  // The bytes follow the header in the same allocation.
  unsigned char* data() noexcept { return reinterpret_cast<unsigned char*>(this + 1); }
  const unsigned char* data() const noexcept {
    return reinterpret_cast<const unsigned char*>(this + 1);
  }
};

namespace mproc::core {

// Allocates a message of `size` bytes (contents uninitialised). Throws
// std::bad_alloc.
mproc_msg_s* message_alloc(size_t size);
void message_free(mproc_msg_s* m) noexcept;

}  // namespace mproc::core
