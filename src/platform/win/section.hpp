// Pagefile-backed sections (CreateFileMapping with no file): the memory
// behind every Windows SharedMapping.
//
// Sections are made with SEC_RESERVE: mapping one reserves address space
// only, and SharedMapping::reserve() commits pages (VirtualAlloc(MEM_COMMIT)
// on the view, which commits them in the section, for every view in every
// process). The commit charge is taken then, against the system commit
// limit (RAM plus page files), so a failure is an error there and never a
// fault on a later write: the counterpart of posix_fallocate on Linux.
// Touching a page that was never committed is an access violation, so
// callers must reserve before they write, as the queue does.
//
// A pagefile section never shrinks, and the handles mproc keeps and hands
// on carry no SECTION_EXTEND_SIZE right: that is the seal.
#pragma once

#include <windows.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace mproc::platform::winshm {

// What a section handle must allow: mapping for reading and writing, and
// asking its size. Not SECTION_EXTEND_SIZE, not WRITE_DAC.
constexpr DWORD kSectionAccess = SECTION_QUERY | SECTION_MAP_READ | SECTION_MAP_WRITE;

// A section handle kept in a descriptor int, and back (see platform/fd.hpp).
inline HANDLE as_handle(int fd) noexcept {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd));
}
inline int as_fd(HANDLE h) noexcept { return static_cast<int>(reinterpret_cast<intptr_t>(h)); }

// The size of the section behind `h`; ECORRUPT/EBADF if it is not one.
size_t section_size(HANDLE h, const std::string& what);

// A new section of `size` bytes (reserved, not committed), named `name`
// (null: unnamed) with security `sa`; returns a handle without the right to
// grow it. EEXIST if the name is taken, ENOMEM past the commit limit.
HANDLE new_section(size_t size, SECURITY_ATTRIBUTES* sa, const wchar_t* name,
                   const std::string& what);

// How much more the system can commit, for the message of a failed
// reservation; empty if the system will not say.
std::string commit_room();

}  // namespace mproc::platform::winshm
