// Objects that can be handed to a child process as arguments: connections,
// and later locks, semaphores, queues and shared blocks. Each knows how to
// describe itself as bytes plus descriptors, and decode_shareable() rebuilds
// it on the other side.
#pragma once

#include <memory>
#include <vector>

#include "core/wire.hpp"
#include "platform/fd.hpp"

namespace mproc::core {

class Shareable {
 public:
  virtual ~Shareable() = default;
  // The MPROC_ARG_* value of this kind of object.
  virtual int arg_type() const noexcept = 0;
  // Appends what another process needs to rebuild this object: bytes to
  // `out`, descriptors to `fds` (written to `out` as indexes into `fds`).
  virtual void encode(WireWriter& out, std::vector<int>& fds) const = 0;
};

// Descriptors received with a record. Decoders take theirs by index; each
// index can be taken once.
class ReceivedFds {
 public:
  explicit ReceivedFds(std::vector<platform::UniqueFd> fds) : fds_(std::move(fds)) {}
  platform::UniqueFd take(uint32_t index);

 private:
  std::vector<platform::UniqueFd> fds_;
};

// Rebuilds an object of MPROC_ARG_* type `arg_type` encoded by encode().
// Throws MPROC_ECORRUPT for anything malformed.
std::shared_ptr<Shareable> decode_shareable(int arg_type, WireReader& in,
                                            ReceivedFds& fds);

// Writes `fd` into a record as an index into `fds`.
inline void encode_fd(WireWriter& out, std::vector<int>& fds, int fd) {
  out.u32(static_cast<uint32_t>(fds.size()));
  fds.push_back(fd);
}

}  // namespace mproc::core
