// Records with handles on Windows.
//
// Windows pipes carry bytes only; a handle reaches another process when
// one of the two copies it across with DuplicateHandle, which needs a
// handle on the other process. The sender does not have one: the pipe
// was made, both ends, by one process, so the pipe can not say who holds
// the other end now. The receiver does: the record names its sender.
//
// So the receiver pulls. send_record writes the sender's pid and its
// handle values beside the payload; recv_record opens the sender
// (PROCESS_DUP_HANDLE) and duplicates each value into itself. The sender's
// handles stay its own and open, and must stay open until the receiver has
// taken them: core waits for the receiver's answer after every record it
// sends with handles (start_spawn waits for the child's ack, which the
// child sends after its recv_record). Pushing instead would leave copies
// in a receiver that never reads the record, with nobody left who knows
// their values to close them.
//
// Sockets are the exception: Winsock wants a socket copied with
// WSADuplicateSocketW, which the sender calls for one named receiver, and
// the receiver makes its SOCKET from that description (sockets.hpp). So a
// socket travels as a WSAPROTOCOL_INFOW after the handle values, made for
// the pipe's peer: the child the other end was handed to, or the process
// the last record on this pipe came from (pipe.hpp's peer_pid). Sending a
// socket to a peer not known that way is refused.
//
// A peer of these owner-only pipes runs as the same user and could open
// the named sender itself, so trusting the pid in the record gives it
// nothing new. The sender must still be running (its process handle
// unsignalled) while its handles are copied: a pid of an ended process
// may already be another's.
#include "platform/fdpass.hpp"

#include <winsock2.h>
#include <windows.h>

#include <mproc/common.h>

#include <cstdint>
#include <string>

#include "pipe_table.hpp"
#include "platform/error.hpp"
#include "sockets.hpp"
#include "win32_error.hpp"

namespace mproc::platform {
namespace {

struct RecordHeader {
  uint32_t magic;
  uint32_t handle_count;
  uint64_t payload_size;
  uint64_t sender_pid;
};
constexpr uint32_t kRecordMagic = 0x6d707277;  // "mprw"
// More than any record of mproc's carries; a larger count is a corrupt
// or hostile record, refused before anything is allocated for it.
constexpr uint32_t kMaxHandles = 4096;
// An entry with this bit is no handle value (those fit in 32 bits) but
// the index of a socket's description, which follow the values in order.
constexpr uint64_t kSocketEntry = uint64_t{1} << 63;

void write_or_fail(int sock, const void* data, size_t len, const Deadline& deadline) {
  if (!write_all(sock, data, len, deadline))
    fail(MPROC_ETIMEDOUT, "sending a record timed out");
}

// Copies `values` out of process `pid` into this one, in order.
void take_handles(uint64_t pid, const std::vector<uint64_t>& values,
                  const std::vector<WSAPROTOCOL_INFOW>& socket_infos,
                  std::vector<UniqueFd>& out) {
  if (pid == 0 || pid > UINT32_MAX) fail(MPROC_ECORRUPT, "record names no sending process");
  winproc::UniqueHandle sender(
      OpenProcess(PROCESS_DUP_HANDLE | SYNCHRONIZE, FALSE, static_cast<DWORD>(pid)));
  if (!sender) {
    DWORD err = GetLastError();
    // No process has that id (any more).
    if (err == ERROR_INVALID_PARAMETER)
      fail(MPROC_EPIPE, "process " + std::to_string(pid) +
                            " ended before the handles it sent were taken");
    fail_win32("cannot open process " + std::to_string(pid) + " to take the handles it sent",
               err);
  }
  if (WaitForSingleObject(sender.get(), 0) != WAIT_TIMEOUT)
    fail(MPROC_EPIPE, "process " + std::to_string(pid) +
                          " ended before the handles it sent were taken");
  out.reserve(values.size());
  for (uint64_t value : values) {
    if (value & kSocketEntry) {
      out.emplace_back(winproc::take_socket(socket_infos[value & ~kSocketEntry]));
      continue;
    }
    HANDLE theirs = reinterpret_cast<HANDLE>(static_cast<uintptr_t>(value));
    HANDLE mine = nullptr;
    if (!DuplicateHandle(sender.get(), theirs, GetCurrentProcess(), &mine, 0, FALSE,
                         DUPLICATE_SAME_ACCESS))
      fail_win32("cannot take handle " + std::to_string(value) + " from process " +
                 std::to_string(pid));
    // Owned before anything else can fail, so an error below closes it.
    winproc::UniqueHandle owned(mine);
    out.emplace_back(winproc::enter_handle(std::move(owned)));
  }
}

}  // namespace

void send_record(int sock, const std::string& payload, const std::vector<int>& fds,
                 const Deadline& deadline) {
  if (fds.size() > kMaxHandles)
    fail(MPROC_EINVAL, "a record carries at most " + std::to_string(kMaxHandles) + " handles");
  std::vector<uint64_t> values;
  std::vector<WSAPROTOCOL_INFOW> socket_infos;
  values.reserve(fds.size());
  for (int fd : fds) {
    if (!fd_is_open(fd))
      fail(MPROC_EBADF, "cannot send descriptor " + std::to_string(fd) + ": it is not open");
    HANDLE h = winproc::handle_of_fd(fd);
    if (winproc::is_socket_fd(fd) || winproc::is_socket(h)) {
      auto pipe = winproc::pipe_of(sock);
      uint32_t peer = pipe ? pipe->peer_pid() : 0;
      if (peer == 0)
        fail(MPROC_ENOTSUP, "cannot send socket " + std::to_string(fd) +
                                ": Windows shares a socket with one named process, and the "
                                "process at the other end of this channel is not known");
      values.push_back(kSocketEntry | socket_infos.size());
      socket_infos.emplace_back();
      winproc::share_socket(reinterpret_cast<SOCKET>(h), peer, &socket_infos.back());
      continue;
    }
    values.push_back(reinterpret_cast<uintptr_t>(h));
  }
  RecordHeader header{kRecordMagic, static_cast<uint32_t>(fds.size()), payload.size(),
                      GetCurrentProcessId()};
  write_or_fail(sock, &header, sizeof header, deadline);
  if (!values.empty())
    write_or_fail(sock, values.data(), values.size() * sizeof(uint64_t), deadline);
  if (!socket_infos.empty())
    write_or_fail(sock, socket_infos.data(), socket_infos.size() * sizeof(WSAPROTOCOL_INFOW),
                  deadline);
  write_or_fail(sock, payload.data(), payload.size(), deadline);
}

bool recv_record(int sock, std::string& payload, std::vector<UniqueFd>& fds,
                 const Deadline& deadline, size_t max_payload) {
  RecordHeader header{};
  size_t got = 0;
  if (!read_exact(sock, &header, sizeof header, deadline, &got)) {
    if (got == 0) return false;
    fail(MPROC_ECORRUPT, "record header truncated");
  }
  if (header.magic != kRecordMagic) fail(MPROC_ECORRUPT, "record has a bad magic number");
  if (header.payload_size > max_payload)
    fail(MPROC_ECORRUPT, "record of " + std::to_string(header.payload_size) +
                             " bytes exceeds the limit");
  if (header.handle_count > kMaxHandles)
    fail(MPROC_ECORRUPT, "record claims " + std::to_string(header.handle_count) + " handles");
  std::vector<uint64_t> values(header.handle_count);
  if (!values.empty() &&
      !read_exact(sock, values.data(), values.size() * sizeof(uint64_t), deadline))
    fail(MPROC_ECORRUPT, "record handles truncated");
  size_t sockets = 0;
  for (uint64_t value : values) {
    if (!(value & kSocketEntry)) continue;
    if ((value & ~kSocketEntry) != sockets)
      fail(MPROC_ECORRUPT, "record has its sockets out of order");
    ++sockets;
  }
  std::vector<WSAPROTOCOL_INFOW> socket_infos(sockets);
  if (sockets > 0 && !read_exact(sock, socket_infos.data(),
                                 sockets * sizeof(WSAPROTOCOL_INFOW), deadline))
    fail(MPROC_ECORRUPT, "record sockets truncated");
  std::string body;
  if (!read_exact_growing(sock, body, static_cast<size_t>(header.payload_size), deadline))
    fail(MPROC_ECORRUPT, "record payload truncated");
  // Taken last, once the whole record is in: a truncated record takes
  // nothing, and a failure while taking closes what was taken.
  // The sender is this pipe's peer: a socket sent back goes to it.
  if (header.sender_pid > 0 && header.sender_pid <= UINT32_MAX)
    if (auto pipe = winproc::pipe_of(sock))
      pipe->set_peer_pid(static_cast<uint32_t>(header.sender_pid));
  std::vector<UniqueFd> taken;
  if (!values.empty()) take_handles(header.sender_pid, values, socket_infos, taken);
  payload = std::move(body);
  fds = std::move(taken);
  return true;
}

}  // namespace mproc::platform
