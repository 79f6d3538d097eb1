// Shared memory mappings. Anonymous ones are memfds: they have no name
// anywhere, reach other processes only as descriptors, and the kernel frees
// them when the last descriptor and mapping go (nothing is left behind even
// after SIGKILL). Named ones live in /dev/shm with mode 0600 for unrelated
// processes, until unlinked.
#pragma once

#include <cstddef>
#include <string>

#include "platform/deadline.hpp"
#include "platform/fd.hpp"

namespace mproc::platform {

class SharedMapping {
 public:
  // A new anonymous mapping of `size` bytes, zero-filled.
  static SharedMapping create(size_t size);
  // A new named mapping; EEXIST if the name is taken.
  static SharedMapping create_named(const std::string& name, size_t size);
  // Maps an existing named object; ENOENT if there is none. An object
  // still empty (its creator has not sized it yet) is waited for until
  // `grace` passes, then ECORRUPT.
  static SharedMapping open_named(const std::string& name, const Deadline& grace);
  // Maps the object behind a received descriptor (taking it).
  static SharedMapping from_fd(UniqueFd fd);
  // Removes a name; the object lives on while mapped. ENOENT if none.
  static void unlink_named(const std::string& name);
  // A name nobody can guess: "mproc-" and 32 random hex digits.
  static std::string random_name();
  // Checks a user-supplied name; throws EINVAL with the reason.
  static void check_name(const std::string& name);

  SharedMapping() = default;
  SharedMapping(SharedMapping&& other) noexcept;
  SharedMapping& operator=(SharedMapping&& other) noexcept;
  SharedMapping(const SharedMapping&) = delete;
  SharedMapping& operator=(const SharedMapping&) = delete;
  ~SharedMapping();

  void* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  int fd() const noexcept { return fd_.get(); }

 private:
  SharedMapping(UniqueFd fd, size_t size);
  UniqueFd fd_;
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mproc::platform
