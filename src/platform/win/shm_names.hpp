// Names of shared objects on Windows, and how create, open and unlink
// agree on them between processes.
//
// Named objects live in the session's "Local\" namespace with an
// owner-only DACL. Windows has no unlink (a kernel name lasts exactly as
// long as some handle to its object does), so a name is two sections:
//  - its entry, "Local\mproc-n-<name>": one word holding the current
//    generation (a random 63-bit number) and a "linked" bit;
//  - the object of each generation, "Local\mproc-o-<name>-<generation>".
// Creating makes a fresh generation and links it (EEXIST while a linked
// one is alive); opening follows a linked entry; unlinking clears the bit,
// so the name can be created anew while old users keep their object.
// Every mapping made by name holds the entry too, so both names go with
// the last process that created or opened the name (as any Windows name
// does), even if nobody unlinked it. The entry's word changes only by
// compare-and-swap, so create, open and unlink race safely between
// processes; a linked generation whose object is gone (its users all
// closed it) counts as unlinked.
#pragma once

#include <windows.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "platform/fd.hpp"
#include "section.hpp"

namespace mproc::platform::winshm {

// The entry word's low bit: the generation above it is the name's.
constexpr uint64_t kLinked = 1;

// "Local\mproc-o-<name>-<generation>", the object of one generation.
std::wstring generation_name(const std::string& name, uint64_t generation);

// A view of a name's entry, with its handle.
struct Entry {
  HANDLE handle = nullptr;
  std::atomic<uint64_t>* word = nullptr;

  Entry() = default;
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;
  ~Entry() {
    if (word != nullptr) UnmapViewOfFile(word);
    if (handle != nullptr) CloseHandle(handle);
  }
  explicit operator bool() const noexcept { return handle != nullptr; }
  UniqueFd take_handle() noexcept { return UniqueFd(as_fd(std::exchange(handle, nullptr))); }
};

// Opens the entry of `name`, making it (zero: nothing linked) when
// `create`. Without `create`, an entry that does not exist leaves the
// result empty.
void open_entry(const std::string& name, bool create, Entry* entry);

// The object of a generation, or null if it is gone (every user closed
// it), with the error in `*error`.
HANDLE open_generation(const std::string& name, uint64_t generation, DWORD access,
                       DWORD* error);

// Whether a generation's object still exists. Another failure than "not
// found" (a denied access) counts as present: the name is then not free.
bool generation_alive(const std::string& name, uint64_t generation);

// A random generation: 63 bits, never 0.
uint64_t new_generation();

}  // namespace mproc::platform::winshm
