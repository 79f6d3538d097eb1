// Shared memory mappings. Anonymous ones are memfds: they have no name
// anywhere, reach other processes only as descriptors, and the kernel frees
// them when the last descriptor and mapping go (nothing is left behind even
// after SIGKILL). Named ones live in /dev/shm with mode 0600 for unrelated
// processes, until unlinked.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "platform/deadline.hpp"
#include "platform/fd.hpp"

namespace mproc::platform {

class SharedMapping {
 public:
  // A new anonymous mapping of `size` bytes, zero-filled, sealed against
  // shrinking and growing: a peer holding its descriptor can not truncate
  // it under the others (which would turn their next access into SIGBUS).
  // The first `reserved` bytes are backed at once (see reserve()).
  static SharedMapping create(size_t size, size_t reserved);
  // A new named mapping; EEXIST if the name is taken; ENOSPC if the first
  // `reserved` bytes can not be backed.
  static SharedMapping create_named(const std::string& name, size_t size, size_t reserved);
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

  // Backs bytes [offset, offset + len) with pages now, so that writing
  // into them can never fault for want of space (a full /dev/shm delivers
  // SIGBUS on the write). 0, or MPROC_ENOSPC / MPROC_ENOMEM with
  // `message` saying how much room there was.
  int reserve(size_t offset, size_t len, std::string* message) const;

  // Names a lock word inside the mapping. While a thread of this process
  // holds that lock, the mapping outlives its owners (it is left mapped,
  // never unmapped): the lock is on the thread's robust list, which the
  // thread and the kernel keep walking through this memory.
  void keep_while_held(const std::atomic<uint32_t>* word);

  void* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  int fd() const noexcept { return fd_.get(); }

 private:
  // "mproc-" and the bytes in hex: random_name's spelling (shm_name_rules.cpp).
  static std::string name_of_random(const unsigned char* bytes, size_t len);
  SharedMapping(UniqueFd fd, size_t size);
  void reserve_or_fail(size_t len, const std::string& what) const;
  UniqueFd fd_;
  void* data_ = nullptr;
  size_t size_ = 0;
  std::string name_;  // empty for anonymous mappings
  // Windows only: the name's entry, held while the mapping lives, so that
  // the name lasts while someone uses it (see win/shm_names.hpp).
  UniqueFd name_entry_;
  std::mutex words_mutex_;
  std::vector<const std::atomic<uint32_t>*> lock_words_;
};

}  // namespace mproc::platform
