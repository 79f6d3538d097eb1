// SharedMapping on Windows: a view of a pagefile-backed section
// (section.hpp), found by name through the entry and generation protocol
// of shm_names.hpp.
#include "platform/shm.hpp"

#include <windows.h>

#include <atomic>
#include <utility>

#include "platform/error.hpp"
#include "platform/robust.hpp"
#include "platform/sysinfo.hpp"
#include "section.hpp"
#include "security.hpp"
#include "shm_names.hpp"
#include "win32_error.hpp"

namespace mproc::platform {

using winshm::as_fd;
using winshm::as_handle;
using winshm::commit_room;
using winshm::Entry;
using winshm::generation_alive;
using winshm::generation_name;
using winshm::kLinked;
using winshm::kSectionAccess;
using winshm::new_generation;
using winshm::new_section;
using winshm::open_entry;
using winshm::open_generation;
using winshm::section_size;

SharedMapping::SharedMapping(UniqueFd fd, size_t size) : fd_(std::move(fd)), size_(size) {
  if (size_ == 0) fail(MPROC_EINVAL, "shared memory of size 0");
  void* p = MapViewOfFile(as_handle(fd_.get()), FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, size_);
  if (p == nullptr) fail_win32("cannot map shared memory of " + std::to_string(size_) + " bytes");
  data_ = p;
}

SharedMapping::SharedMapping(SharedMapping&& other) noexcept
    : fd_(std::move(other.fd_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      name_(std::move(other.name_)),
      name_entry_(std::move(other.name_entry_)),
      lock_words_(std::move(other.lock_words_)) {}

SharedMapping& SharedMapping::operator=(SharedMapping&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) UnmapViewOfFile(data_);
    fd_ = std::move(other.fd_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    name_ = std::move(other.name_);
    name_entry_ = std::move(other.name_entry_);
    lock_words_ = std::move(other.lock_words_);
  }
  return *this;
}

SharedMapping::~SharedMapping() {
  if (data_ == nullptr) return;
  // A held lock's list entry lives in this memory and the holding
  // thread's list (win/robust.cpp) still points at it: unmapping would
  // turn the thread's next lock operation into an access violation. The
  // view stays, as on Linux.
  for (const auto* word : lock_words_)
    if (robust_held_in_process(word->load(std::memory_order_relaxed))) return;
  UnmapViewOfFile(data_);
}

void SharedMapping::keep_while_held(const std::atomic<uint32_t>* word) {
  std::lock_guard<std::mutex> guard(words_mutex_);
  lock_words_.push_back(word);
}

SharedMapping SharedMapping::create(size_t size, size_t reserved) {
  if (size == 0) fail(MPROC_EINVAL, "shared memory of size 0");
  // No name and no DACL: the section is reachable only through handles
  // this process duplicates into others.
  UniqueFd fd(as_fd(new_section(size, nullptr, nullptr, "shared memory")));
  SharedMapping mapping(std::move(fd), size);
  mapping.reserve_or_fail(reserved, "shared memory");
  return mapping;
}

SharedMapping SharedMapping::create_named(const std::string& name, size_t size,
                                          size_t reserved) {
  check_name(name);
  if (size == 0) fail(MPROC_EINVAL, "shared memory of size 0");
  std::string what = "shared object '" + name + "'";
  Entry entry;
  open_entry(name, true, &entry);
  // The new generation is made and backed before it is linked: an opener
  // never finds an object its creator may still give up on.
  uint64_t generation = new_generation();
  std::wstring wide = generation_name(name, generation);
  UniqueFd fd(as_fd(new_section(size, owner_only_attributes(), wide.c_str(), what)));
  SharedMapping mapping(std::move(fd), size);
  mapping.name_ = name;
  mapping.reserve_or_fail(reserved, what);
  uint64_t current = entry.word->load();
  for (;;) {
    if ((current & kLinked) != 0 && generation_alive(name, current >> 1))
      fail(MPROC_EEXIST, "cannot create " + what + ": the name is taken");
    if (entry.word->compare_exchange_weak(current, generation << 1 | kLinked)) break;
  }
  mapping.name_entry_ = entry.take_handle();
  return mapping;
}

int SharedMapping::reserve(size_t offset, size_t len, std::string* message) const {
  if (len == 0) return 0;
  if (offset > size_ || len > size_ - offset) {
    *message = "reservation outside the mapping";
    return MPROC_EINVAL;
  }
  // Whole pages; the view itself is whole pages, so the last one is in it.
  size_t page = page_size();
  size_t first = offset / page * page;
  size_t end = (offset + len + page - 1) / page * page;
  if (VirtualAlloc(static_cast<char*>(data_) + first, end - first, MEM_COMMIT, PAGE_READWRITE) !=
      nullptr)
    return 0;
  DWORD err = GetLastError();
  std::string what = name_.empty() ? "shared memory" : "shared object '" + name_ + "'";
  if (err == ERROR_COMMITMENT_LIMIT || err == ERROR_NOT_ENOUGH_MEMORY ||
      err == ERROR_OUTOFMEMORY) {
    *message = "no space left for " + std::to_string(len) + " more bytes of " + what +
               commit_room();
    return MPROC_ENOSPC;
  }
  if (err == ERROR_NO_SYSTEM_RESOURCES) {
    *message = "not enough memory for " + std::to_string(len) + " more bytes of " + what;
    return MPROC_ENOMEM;
  }
  *message = "cannot reserve " + std::to_string(len) + " bytes of " + what + ": " +
             win32_text(err) + " (Windows error " + std::to_string(err) + ")";
  return MPROC_EIO;
}

void SharedMapping::reserve_or_fail(size_t len, const std::string& what) const {
  std::string message;
  int rc = reserve(0, len < size_ ? len : size_, &message);
  if (rc != 0) fail(rc, "cannot create " + what + ": " + message);
}

// A section has its size from the moment it exists (CreateFileMapping
// sets both at once), so unlike a /dev/shm file it is never seen empty:
// `grace` has nothing to wait for.
SharedMapping SharedMapping::open_named(const std::string& name, const Deadline&) {
  check_name(name);
  std::string what = "shared object '" + name + "'";
  Entry entry;
  open_entry(name, false, &entry);
  uint64_t current = entry ? entry.word->load() : 0;
  HANDLE h = nullptr;
  DWORD err = ERROR_FILE_NOT_FOUND;
  if ((current & kLinked) != 0) h = open_generation(name, current >> 1, kSectionAccess, &err);
  if (h == nullptr) {
    // Never made, unlinked, or every user closed it.
    if (err == ERROR_FILE_NOT_FOUND || err == ERROR_INVALID_HANDLE)
      fail(MPROC_ENOENT, "cannot open " + what + ": there is no object of that name");
    fail_win32("cannot open " + what, err);
  }
  UniqueFd fd(as_fd(h));
  size_t size = section_size(h, what);
  SharedMapping mapping(std::move(fd), size);
  mapping.name_ = name;
  mapping.name_entry_ = entry.take_handle();
  return mapping;
}

SharedMapping SharedMapping::from_fd(UniqueFd fd) {
  if (!fd) fail(MPROC_EBADF, "received shared memory: no handle");
  size_t size = section_size(as_handle(fd.get()), "received shared memory");
  return SharedMapping(std::move(fd), size);
}

// Clears the entry's linked bit: the object lives on in the processes
// that have it, nobody can open it by name any more, and the name can be
// created anew.
void SharedMapping::unlink_named(const std::string& name) {
  check_name(name);
  Entry entry;
  open_entry(name, false, &entry);
  uint64_t current = entry ? entry.word->load() : 0;
  for (;;) {
    if ((current & kLinked) == 0 || !generation_alive(name, current >> 1))
      fail(MPROC_ENOENT, "cannot unlink shared object '" + name + "': there is no object of that name");
    if (entry.word->compare_exchange_weak(current, current & ~kLinked)) return;
  }
}

std::string SharedMapping::random_name() {
  unsigned char bytes[16];
  random_bytes(bytes, sizeof bytes);
  return name_of_random(bytes, sizeof bytes);
}

}  // namespace mproc::platform
