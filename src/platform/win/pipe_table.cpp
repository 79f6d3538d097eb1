#include "pipe_table.hpp"

#include <mproc/common.h>

#include <mutex>
#include <new>
#include <string>
#include <unordered_map>

#include "platform/error.hpp"
#include "sockets.hpp"

namespace mproc::platform::winproc {
namespace {

// Entries are shared: a thread still inside a step on a pipe keeps it
// alive while another thread closes the descriptor (the step then fails
// with ECLOSED instead of touching freed memory).
struct Table {
  std::mutex mutex;
  std::unordered_map<int, std::shared_ptr<Pipe>> pipes;
};

Table& table() {
  // Never destroyed: descriptors may be closed from atexit handlers and
  // threads still running while the process exits.
  static Table* t = new Table;
  return *t;
}

// NtQueryInformationFile(FileModeInformation): whether the handle was
// opened for synchronous I/O. ntdll's, looked up once.
struct IoStatus {
  union {
    LONG status;
    void* pointer;
  };
  ULONG_PTR information;
};
using NtQueryInformationFileFn = LONG(NTAPI*)(HANDLE, IoStatus*, void*, ULONG, int);
constexpr int kFileModeInformation = 16;
constexpr ULONG kSynchronousIo = 0x10 | 0x20;  // FILE_SYNCHRONOUS_IO_(NON)ALERT

bool opened_synchronous(HANDLE h) noexcept {
  static const auto query = reinterpret_cast<NtQueryInformationFileFn>(reinterpret_cast<void*>(
      GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationFile")));
  if (query == nullptr) return false;
  IoStatus io{};
  ULONG mode = 0;
  // Unanswered: taken as overlapped, as every pipe mproc makes is.
  if (query(h, &io, &mode, sizeof mode, kFileModeInformation) < 0) return false;
  return (mode & kSynchronousIo) != 0;
}

// Drops an entry whose handle was closed behind the table's back (its
// value now names another handle): the Pipe must not close that value.
void drop_stale(Table& t, int fd) {
  auto it = t.pipes.find(fd);
  if (it == t.pipes.end()) return;
  it->second->release_handle();
  t.pipes.erase(it);
}

}  // namespace

HANDLE handle_of_fd(int fd) noexcept {
  switch (fd) {
    case 0:
      return GetStdHandle(STD_INPUT_HANDLE);
    case 1:
      return GetStdHandle(STD_OUTPUT_HANDLE);
    case 2:
      return GetStdHandle(STD_ERROR_HANDLE);
    default:
      // Sign-extended, so -1 stays INVALID_HANDLE_VALUE.
      return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd));
  }
}

int fd_of_handle(HANDLE h) noexcept { return static_cast<int>(reinterpret_cast<intptr_t>(h)); }

int register_pipe(UniqueHandle h) {
  int fd = fd_of_handle(h.get());
  std::shared_ptr<Pipe> pipe = Pipe::adopt(h.get());  // on failure h closes
  h.release();
  try {
    Table& t = table();
    std::lock_guard<std::mutex> guard(t.mutex);
    drop_stale(t, fd);
    t.pipes.emplace(fd, pipe);
  } catch (const std::bad_alloc&) {
    // The pipe closes its handle as it goes.
    fail(MPROC_ENOMEM, "out of memory registering a pipe");
  }
  return fd;
}

int enter_handle(UniqueHandle h) {
  if (GetFileType(h.get()) == FILE_TYPE_PIPE && !opened_synchronous(h.get()))
    return register_pipe(std::move(h));
  int fd = fd_of_handle(h.get());
  Table& t = table();
  std::lock_guard<std::mutex> guard(t.mutex);
  drop_stale(t, fd);
  return fd_of_handle(h.release());
}

std::shared_ptr<Pipe> pipe_of(int fd) {
  if (fd < 0) fail(MPROC_EBADF, "descriptor " + std::to_string(fd) + " is not open");
  Table& t = table();
  {
    std::lock_guard<std::mutex> guard(t.mutex);
    auto it = t.pipes.find(fd);
    if (it != t.pipes.end()) return it->second;
  }
  HANDLE h = handle_of_fd(fd);
  // A socket says FILE_TYPE_PIPE too, but is no pipe.
  if (fd <= 2 || GetFileType(h) != FILE_TYPE_PIPE || is_socket_fd(fd)) return nullptr;
  if (opened_synchronous(h))
    fail(MPROC_ENOTSUP, "handle " + std::to_string(fd) +
                            " is a pipe opened for synchronous I/O: mproc can wait only on "
                            "overlapped pipes");
  std::lock_guard<std::mutex> guard(t.mutex);
  auto it = t.pipes.find(fd);  // another thread may have entered it meanwhile
  if (it != t.pipes.end()) return it->second;
  // On failure the handle stays open: it is the caller's descriptor.
  auto pipe = Pipe::adopt(h);
  try {
    t.pipes.emplace(fd, pipe);
  } catch (const std::bad_alloc&) {
    pipe->release_handle();
    fail(MPROC_ENOMEM, "out of memory registering a pipe");
  }
  return pipe;
}

namespace {

std::shared_ptr<Pipe> known_pipe(int fd) noexcept {
  Table& t = table();
  std::lock_guard<std::mutex> guard(t.mutex);
  auto it = t.pipes.find(fd);
  return it == t.pipes.end() ? nullptr : it->second;
}

}  // namespace

void link_pipes(int a, int b) noexcept {
  auto pa = known_pipe(a), pb = known_pipe(b);
  if (!pa || !pb) return;
  pa->set_partner(pb);
  pb->set_partner(pa);
}

void note_handed_to(int fd, uint32_t pid) noexcept {
  if (auto pipe = known_pipe(fd))
    if (auto other = pipe->partner()) other->set_peer_pid(pid);
}

bool close_registered(int fd) noexcept {
  std::shared_ptr<Pipe> pipe;
  {
    Table& t = table();
    std::lock_guard<std::mutex> guard(t.mutex);
    auto it = t.pipes.find(fd);
    if (it == t.pipes.end()) return false;
    pipe = std::move(it->second);
    t.pipes.erase(it);
  }
  pipe->close();
  return true;
}

}  // namespace mproc::platform::winproc
