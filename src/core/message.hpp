// A received message: a handle holding the size and a pointer to the
// bytes, handed to the caller as an mproc_msg_t and freed with
// mproc_msg_free. Shared by connections, queues and pools. The handle
// lives in a HandleArena, so that a freed message is recognised as such.
#pragma once

#include <mproc/common.h>

#include <cstddef>

#include "core/handle_arena.hpp"

struct mproc_msg_s {
  static constexpr uint32_t kMagic = 0x6d736773;  // "msgs"
  static constexpr const char* kLabel = "mproc_msg_t";
  mproc::core::HandleHeader header{kMagic};
  size_t size = 0;
  unsigned char* bytes = nullptr;  // malloc'ed, at least 1 byte

  unsigned char* data() noexcept { return bytes; }
  const unsigned char* data() const noexcept { return bytes; }
  void clear() noexcept;
};

namespace mproc::core {

// Allocates a message of `size` bytes (contents uninitialised). Throws
// std::bad_alloc.
mproc_msg_s* message_alloc(size_t size);
// Frees a live message; false (nothing done) when `m` is not one (freed
// already, or another handle).
bool message_free(mproc_msg_s* m) noexcept;

}  // namespace mproc::core
