// Making pipes: a named pipe under a random name, for this user only, with
// exactly one instance that we connect to ourselves.
//
// Anonymous pipes (CreatePipe) can not do overlapped I/O, so a read on them
// can not be given a deadline or be waited on together with other pipes;
// named pipes can. The name is random and the pipe is made with
// FILE_FLAG_FIRST_PIPE_INSTANCE and one instance: when our own CreateFile
// succeeds, nobody else got in before us (a second client would find the
// pipe busy), and nobody can get in after.
#ifndef _CRT_RAND_S
#define _CRT_RAND_S
#endif
#include <stdlib.h>
#include <windows.h>
#include <sddl.h>

#include <atomic>
#include <cstdio>

#include "platform/error.hpp"
#include "win_pipe.hpp"

namespace mproc::platform::winproc {
namespace {

constexpr DWORD kPipeBuffer = 64 * 1024;

// A security descriptor granting this process's user everything and
// nobody else anything (no inherited ACEs: "P").
class OwnerOnly {
 public:
  OwnerOnly() {
    HANDLE token = nullptr;
    if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token))
      fail_last_error("OpenProcessToken");
    UniqueHandle owned(token);
    DWORD size = 0;
    ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::string buf(size, '\0');
    if (!::GetTokenInformation(token, TokenUser, buf.data(), size, &size))
      fail_last_error("GetTokenInformation(TokenUser)");
    wchar_t* sid = nullptr;
    if (!::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buf.data())->User.Sid, &sid))
      fail_last_error("ConvertSidToStringSid");
    std::wstring sddl = L"D:P(A;;GA;;;" + std::wstring(sid) + L")";
    ::LocalFree(sid);
    if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1,
                                                                &sd_, nullptr))
      fail_last_error("ConvertStringSecurityDescriptorToSecurityDescriptor");
  }
  ~OwnerOnly() { ::LocalFree(sd_); }
  SECURITY_ATTRIBUTES attributes() const {
    SECURITY_ATTRIBUTES sa{};
    sa.nLength = sizeof sa;
    sa.lpSecurityDescriptor = sd_;
    sa.bInheritHandle = FALSE;
    return sa;
  }

 private:
  PSECURITY_DESCRIPTOR sd_ = nullptr;
};

const OwnerOnly& owner_only() {
  static const OwnerOnly sd;  // the user does not change while we run
  return sd;
}

std::wstring random_pipe_name() {
  static std::atomic<unsigned> counter{0};
  unsigned r[4];
  for (auto& x : r)
    if (rand_s(&x) != 0) fail(MPROC_EIO, "rand_s failed making a pipe name");
  wchar_t name[128];
  swprintf(name, 128, L"\\\\.\\pipe\\mproc-%lu-%u-%08x%08x%08x%08x", ::GetCurrentProcessId(),
           counter.fetch_add(1), r[0], r[1], r[2], r[3]);
  return name;
}

// The server end (overlapped, `open_mode` says the direction) and a client
// end opened with `client_access`.
PipePair make_pipe(DWORD open_mode, DWORD client_access, bool client_overlapped) {
  std::wstring name = random_pipe_name();
  SECURITY_ATTRIBUTES sa = owner_only().attributes();
  UniqueHandle server(::CreateNamedPipeW(
      name.c_str(), open_mode | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1,
      kPipeBuffer, kPipeBuffer, 0, &sa));
  if (!server) fail_last_error("CreateNamedPipe");
  // SECURITY_ANONYMOUS: the server (ours) may not act as this client.
  DWORD flags = SECURITY_SQOS_PRESENT | SECURITY_ANONYMOUS;
  if (client_overlapped) flags |= FILE_FLAG_OVERLAPPED;
  UniqueHandle client(
      ::CreateFileW(name.c_str(), client_access, 0, nullptr, OPEN_EXISTING, flags, nullptr));
  if (!client) fail_last_error("open the new pipe");

  OVERLAPPED ov{};
  UniqueHandle event(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!event) fail_last_error("CreateEvent");
  ov.hEvent = event.get();
  if (!::ConnectNamedPipe(server.get(), &ov)) {
    DWORD err = ::GetLastError();
    DWORD unused = 0;
    if (err == ERROR_IO_PENDING) {
      // Not expected (the client is already there), but never leave an
      // operation running on a stack OVERLAPPED.
      if (!::GetOverlappedResult(server.get(), &ov, &unused, TRUE))
        fail_last_error("ConnectNamedPipe");
    } else if (err != ERROR_PIPE_CONNECTED) {
      fail_win32("ConnectNamedPipe", err);
    }
  }
  return PipePair{std::move(server), std::move(client)};
}

}  // namespace

PipePair make_duplex_pipe(bool theirs_overlapped) {
  return make_pipe(PIPE_ACCESS_DUPLEX, GENERIC_READ | GENERIC_WRITE, theirs_overlapped);
}

PipePair make_oneway_pipe(PipeDirection direction) {
  // The child's end may query and set its own pipe state (the attributes
  // right), as a program does with its std streams.
  if (direction == PipeDirection::kFromChild)
    return make_pipe(PIPE_ACCESS_INBOUND, GENERIC_WRITE | FILE_READ_ATTRIBUTES, false);
  return make_pipe(PIPE_ACCESS_OUTBOUND, GENERIC_READ | FILE_WRITE_ATTRIBUTES, false);
}

}  // namespace mproc::platform::winproc
