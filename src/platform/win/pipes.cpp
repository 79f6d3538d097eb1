// Pipes and redirection files on Windows.
//
// Both kinds of pipe are named pipes under a random name, made for this
// user alone, with exactly one instance that this process connects to
// itself at once: anonymous pipes (CreatePipe) can not do overlapped I/O,
// so a read on them could neither have a deadline nor be waited on
// together with other pipes and processes. FILE_FLAG_FIRST_PIPE_INSTANCE
// and the single instance mean that once our own client open succeeded,
// nobody else got in before us, and nobody can after.
//
// The ends this process keeps are overlapped; the end a command gets
// (make_pipe's KeptEnd) is synchronous, since programs read and write
// their standard streams with plain blocking calls, which an overlapped
// handle does not reliably serve.
#include "platform/pipes.hpp"

#include <windows.h>

#include <mproc/common.h>

#include <atomic>
#include <cstdio>

#include "pipe_table.hpp"
#include "platform/error.hpp"
#include "security.hpp"
#include "win32_error.hpp"

namespace mproc::platform {
namespace winproc {
namespace {

// What the pipe holds before a writer has to wait for the reader. A Unix
// socket takes about 200 KiB (Linux's default), and senders rely on as
// much: several messages sent before the peer starts reading must not
// stall. A pipe that took less would time out where Linux does not.
constexpr DWORD kPipeBuffer = 256 * 1024;

std::wstring random_pipe_name() {
  static std::atomic<unsigned> counter{0};
  uint32_t r[4];
  random_bytes(r, sizeof r);
  wchar_t name[128];
  swprintf(name, 128, L"\\\\.\\pipe\\mproc-%lu-%u-%08x%08x%08x%08x",
           static_cast<unsigned long>(GetCurrentProcessId()), counter.fetch_add(1), r[0], r[1],
           r[2], r[3]);
  return name;
}

}  // namespace

PipePair make_pipe_pair(DWORD open_mode, DWORD client_access, bool client_overlapped) {
  std::wstring name = random_pipe_name();
  UniqueHandle server(CreateNamedPipeW(
      name.c_str(), open_mode | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1,
      kPipeBuffer, kPipeBuffer, 0, owner_only_attributes()));
  if (!server) fail_win32("cannot create a pipe");
  // SECURITY_ANONYMOUS: the server end may not act as this client.
  DWORD flags = SECURITY_SQOS_PRESENT | SECURITY_ANONYMOUS;
  if (client_overlapped) flags |= FILE_FLAG_OVERLAPPED;
  UniqueHandle client(
      CreateFileW(name.c_str(), client_access, 0, nullptr, OPEN_EXISTING, flags, nullptr));
  if (!client) fail_win32("cannot open the other end of a new pipe");

  // The client is there already, so this completes at once; an operation
  // on a stack OVERLAPPED is waited for anyway before it goes out of scope.
  UniqueHandle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!event) fail_win32("cannot create an event");
  OVERLAPPED ov{};
  ov.hEvent = event.get();
  if (!ConnectNamedPipe(server.get(), &ov)) {
    DWORD err = GetLastError();
    DWORD unused = 0;
    if (err == ERROR_IO_PENDING) {
      if (!GetOverlappedResult(server.get(), &ov, &unused, TRUE))
        fail_win32("cannot connect a new pipe");
    } else if (err != ERROR_PIPE_CONNECTED) {
      fail_win32("cannot connect a new pipe", err);
    }
  }
  return PipePair{std::move(server), std::move(client)};
}

}  // namespace winproc

namespace {

// Both ends of `pair` as descriptors, the overlapped ones in the table.
void register_pair(winproc::PipePair pair, UniqueFd* server, UniqueFd* client) {
  UniqueFd s(winproc::register_pipe(std::move(pair.server)));
  // A synchronous client (a program's end) stays out of the table.
  UniqueFd c(winproc::enter_handle(std::move(pair.client)));
  winproc::link_pipes(s.get(), c.get());
  *server = std::move(s);
  *client = std::move(c);
}

}  // namespace

void make_socket_pair(UniqueFd* a, UniqueFd* b) {
  register_pair(winproc::make_pipe_pair(PIPE_ACCESS_DUPLEX, GENERIC_READ | GENERIC_WRITE, true),
                a, b);
}

void make_pipe(UniqueFd* read_end, UniqueFd* write_end, KeptEnd kept) {
  // The server end is always one this process keeps (overlapped); the
  // client end is synchronous when a program gets it. The client may also
  // read and set its pipe's state (the attributes right), as programs do
  // with their standard streams.
  if (kept == KeptEnd::kWrite) {
    register_pair(winproc::make_pipe_pair(PIPE_ACCESS_OUTBOUND,
                                          GENERIC_READ | FILE_WRITE_ATTRIBUTES, false),
                  write_end, read_end);
    return;
  }
  register_pair(winproc::make_pipe_pair(PIPE_ACCESS_INBOUND,
                                        GENERIC_WRITE | FILE_READ_ATTRIBUTES,
                                        kept == KeptEnd::kBoth),
                read_end, write_end);
}

UniqueFd open_null(bool for_writing) {
  HANDLE h = CreateFileW(L"NUL", for_writing ? GENERIC_WRITE : GENERIC_READ,
                         FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0, nullptr);
  if (h == INVALID_HANDLE_VALUE) fail_win32("cannot open NUL");
  return UniqueFd(winproc::fd_of_handle(h));
}

UniqueFd open_stream_file(const std::string& path, StreamFile how, const std::string& what) {
  std::wstring wide = utf8_to_wide(path, "the file name");
  // POSIX lets others read, write, rename and delete an open file; these
  // share modes come as close as Windows allows.
  DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  DWORD access = GENERIC_READ;
  DWORD disposition = OPEN_EXISTING;
  if (how == StreamFile::kWriteTruncate) {
    access = GENERIC_WRITE;
    disposition = CREATE_ALWAYS;
  } else if (how == StreamFile::kWriteAppend) {
    // FILE_APPEND_DATA without FILE_WRITE_DATA puts every write at the
    // end, as O_APPEND does, also while others write too.
    access = FILE_APPEND_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE;
    disposition = OPEN_ALWAYS;
  }
  HANDLE h = CreateFileW(wide.c_str(), access, share, nullptr, disposition,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) fail_win32(what);
  return UniqueFd(winproc::fd_of_handle(h));
}

void check_stream_socket(int user_fd) {
  // Connections here are named pipes (make_socket_pair); adopting a socket
  // as one is not supported.
  fail(MPROC_ENOTSUP, "descriptor " + std::to_string(user_fd) +
                          ": adopting a descriptor as a connection end is not supported on Windows");
}

bool is_directory(const std::string& path) noexcept {
  try {
    DWORD attrs = GetFileAttributesW(utf8_to_wide(path, "the path").c_str());
    return attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY) != 0;
  } catch (...) {
    return false;  // not UTF-8, or a NUL inside: no such directory
  }
}

}  // namespace mproc::platform
