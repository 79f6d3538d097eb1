// Shared memory on Windows: pagefile-backed sections (CreateFileMapping
// with no file).
//
// Sections are made with SEC_RESERVE: mapping one reserves address space
// only, and reserve() commits pages (VirtualAlloc(MEM_COMMIT) on the view,
// which commits them in the section, for every view in every process).
// The commit charge is taken then, against the system commit limit (RAM
// plus page files), so a failure is an error there and never a fault on a
// later write: the counterpart of posix_fallocate on Linux. Touching a page
// that was never committed is an access violation, so callers must reserve
// before they write, as the queue does.
//
// A pagefile section never shrinks, and the handles mproc keeps and hands
// on carry no SECTION_EXTEND_SIZE right: that is the seal.
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
#include "platform/shm.hpp"

#include <windows.h>

#include <atomic>
#include <cstdio>
#include <utility>

#include "platform/error.hpp"
#include "platform/robust.hpp"
#include "platform/sysinfo.hpp"
#include "security.hpp"
#include "win32_error.hpp"

namespace mproc::platform {
namespace {

// What a section handle must allow: mapping for reading and writing, and
// asking its size. Not SECTION_EXTEND_SIZE, not WRITE_DAC.
constexpr DWORD kSectionAccess = SECTION_QUERY | SECTION_MAP_READ | SECTION_MAP_WRITE;

HANDLE as_handle(int fd) noexcept {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd));
}

int as_fd(HANDLE h) noexcept {
  return static_cast<int>(reinterpret_cast<intptr_t>(h));
}

// NtQuerySection's basic answer: the section's exact size. The function is
// ntdll's, looked up once (mingw-w64's headers do not declare it).
struct SectionBasicInformation {
  void* base;
  ULONG attributes;
  LARGE_INTEGER size;
};
using NtQuerySectionFn = LONG(NTAPI*)(HANDLE, int, void*, SIZE_T, SIZE_T*);

NtQuerySectionFn nt_query_section() {
  static NtQuerySectionFn fn = reinterpret_cast<NtQuerySectionFn>(reinterpret_cast<void*>(
      GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySection")));
  return fn;
}

// The size of the section behind `h`; ECORRUPT/EBADF if it is not one.
size_t section_size(HANDLE h, const std::string& what) {
  NtQuerySectionFn query = nt_query_section();
  if (query == nullptr) fail(MPROC_ENOSYS, "NtQuerySection is missing from ntdll");
  SectionBasicInformation info{};
  LONG status = query(h, 0 /* SectionBasicInformation */, &info, sizeof info, nullptr);
  if (status < 0) {
    char hex[16];
    snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(status));
    fail(MPROC_EBADF, what + " is not a shared memory section (NTSTATUS 0x" + hex + ")");
  }
  if (info.size.QuadPart <= 0) fail(MPROC_ECORRUPT, what + " is empty");
  return static_cast<size_t>(info.size.QuadPart);
}

// A copy of `h` that can not grow the section; closes `h`.
HANDLE restricted(HANDLE h) {
  HANDLE copy = nullptr;
  BOOL ok = DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &copy, kSectionAccess,
                            FALSE, 0);
  DWORD err = GetLastError();
  CloseHandle(h);
  if (!ok) fail_win32("cannot restrict a shared memory handle", err);
  return copy;
}

HANDLE new_section(size_t size, SECURITY_ATTRIBUTES* sa, const wchar_t* name,
                   const std::string& what) {
  uint64_t size64 = size;
  HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, sa, PAGE_READWRITE | SEC_RESERVE,
                                static_cast<DWORD>(size64 >> 32), static_cast<DWORD>(size64),
                                name);
  DWORD err = GetLastError();
  if (h != nullptr && err == ERROR_ALREADY_EXISTS) {
    // The name was taken: CreateFileMapping opened the existing section.
    CloseHandle(h);
    fail(MPROC_EEXIST, "cannot create " + what + ": the name is taken");
  }
  if (h == nullptr) {
    // A name held by a kernel object of another type (an event, a
    // semaphore) is taken too.
    if (err == ERROR_INVALID_HANDLE)
      fail(MPROC_EEXIST, "cannot create " + what + ": the name is taken by another kind of object");
    if (err == ERROR_COMMITMENT_LIMIT || err == ERROR_NOT_ENOUGH_MEMORY)
      fail(MPROC_ENOMEM, "cannot create " + what + " of " + std::to_string(size) +
                             " bytes: " + win32_text(err));
    fail_win32("cannot create " + what, err);
  }
  return restricted(h);
}

// How much more the system can commit, for the message of a failed
// reservation.
std::string commit_room() {
  MEMORYSTATUSEX st;
  st.dwLength = sizeof st;
  if (!GlobalMemoryStatusEx(&st)) return "";
  return " (the system commit limit is " + std::to_string(st.ullTotalPageFile) + " bytes, " +
         std::to_string(st.ullAvailPageFile) + " of them still free)";
}

// The entry word's low bit: the generation above it is the name's.
constexpr uint64_t kLinked = 1;

std::wstring entry_name(const std::string& name) { return local_object_name("mproc-n-" + name); }

std::wstring generation_name(const std::string& name, uint64_t generation) {
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(generation));
  return local_object_name("mproc-o-" + name + "-" + hex);
}

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
void open_entry(const std::string& name, bool create, Entry* entry) {
  std::wstring wide = entry_name(name);
  std::string what = "the name entry of shared object '" + name + "'";
  HANDLE h;
  if (create) {
    h = CreateFileMappingW(INVALID_HANDLE_VALUE, owner_only_attributes(), PAGE_READWRITE, 0,
                           sizeof(uint64_t), wide.c_str());
  } else {
    h = OpenFileMappingW(kSectionAccess, FALSE, wide.c_str());
  }
  if (h == nullptr) {
    DWORD err = GetLastError();
    if (!create && (err == ERROR_FILE_NOT_FOUND || err == ERROR_INVALID_HANDLE)) return;
    if (err == ERROR_INVALID_HANDLE)
      fail(MPROC_EEXIST, "cannot create " + what + ": the name is taken by another kind of object");
    fail_win32("cannot open " + what, err);
  }
  entry->handle = h;
  if (section_size(h, what) < sizeof(uint64_t)) fail(MPROC_ECORRUPT, what + " is too small");
  void* p = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, sizeof(uint64_t));
  if (p == nullptr) fail_win32("cannot map " + what);
  entry->word = static_cast<std::atomic<uint64_t>*>(p);
}

// The object of a generation, or null if it is gone (every user closed
// it). Another failure (a denied access) counts as present: the name is
// then not free.
HANDLE open_generation(const std::string& name, uint64_t generation, DWORD access,
                       DWORD* error) {
  std::wstring wide = generation_name(name, generation);
  HANDLE h = OpenFileMappingW(access, FALSE, wide.c_str());
  *error = h == nullptr ? GetLastError() : ERROR_SUCCESS;
  return h;
}

bool generation_alive(const std::string& name, uint64_t generation) {
  DWORD err;
  HANDLE h = open_generation(name, generation, SECTION_QUERY, &err);
  if (h == nullptr) return err != ERROR_FILE_NOT_FOUND && err != ERROR_INVALID_HANDLE;
  CloseHandle(h);
  return true;
}

// A random generation: 63 bits, never 0.
uint64_t new_generation() {
  uint64_t g = 0;
  while (g == 0) {
    random_bytes(&g, sizeof g);
    g >>= 1;
  }
  return g;
}

}  // namespace

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
  static const char hex[] = "0123456789abcdef";
  std::string name = "mproc-";
  for (unsigned char b : bytes) {
    name += hex[b >> 4];
    name += hex[b & 15];
  }
  return name;
}

// The same rule as on Linux, so a name works on both: it also keeps
// backslashes (namespace separators) out of kernel object names.
void SharedMapping::check_name(const std::string& name) {
  if (name.empty() || name.size() > 200)
    fail(MPROC_EINVAL, "shared object names are 1 to 200 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok)
      fail(MPROC_EINVAL, "shared object name '" + name +
                             "' may hold only letters, digits, '-', '_' and '.'");
  }
  if (name == "." || name == "..") fail(MPROC_EINVAL, "shared object name may not be . or ..");
}

}  // namespace mproc::platform
