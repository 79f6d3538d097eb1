// Winsock sockets among the library's descriptors.
//
// A socket is a handle, but Windows says not to copy one with DuplicateHandle
// (Winsock may not know the copy, and its own reference count goes wrong):
// WSADuplicateSocketW describes the socket for one named process, which
// makes its own SOCKET from that description with WSASocketW. So the
// library copies sockets that way, keeps the descriptors that are sockets
// in a set, and closes them with closesocket.
#pragma once

#include <winsock2.h>

#include <cstdint>
#include <string>

namespace mproc::platform::winproc {

// Whether `h` is a Winsock socket (Winsock answers SO_TYPE for it).
bool is_socket(HANDLE h) noexcept;
// Whether descriptor `fd` is one of the library's sockets.
bool is_socket_fd(int fd) noexcept;

// A new socket of this process for the same connection as socket `s`, as a
// library descriptor (not inheritable). Throws.
int copy_socket(SOCKET s);
// Describes socket `s` for process `pid`, which takes it with take_socket.
// Throws.
void share_socket(SOCKET s, uint32_t pid, WSAPROTOCOL_INFOW* info);
// The socket a share_socket description made for this process, as a
// library descriptor. Throws.
int take_socket(const WSAPROTOCOL_INFOW& info);

// Closes `fd` with closesocket when it is one of the library's sockets;
// false, with nothing done, otherwise.
bool close_socket_fd(int fd) noexcept;

// Starts Winsock once for the process (never cleaned up: a library must
// not end Winsock under its host's feet). Throws.
void start_winsock();
// Enters socket `s`, made by this process, among the library's sockets
// and gives its descriptor. Throws (and closes `s`).
int adopt_socket(SOCKET s);
// An Error for Winsock error `err`: "<what>: <description> (Winsock error N)".
[[noreturn]] void fail_wsa(const std::string& what, int err);

// Readiness of a library socket for waits (win/socket_io.cpp): null when
// `fd` can be read (data, a connection to accept, the end) or written now,
// or has failed -- the next step says how; otherwise an event that is
// signalled once that may have changed.
HANDLE socket_wait_event(int fd, bool for_reading);
// Forgets the event socket_wait_event made for `fd` (at its close).
void drop_socket_event(int fd) noexcept;
// stream_io.hpp's steps on a socket descriptor.
size_t socket_send_nowait(int fd, const void* head, size_t head_len, const void* body,
                          size_t body_len, size_t skip);
long long socket_recv_nowait(int fd, void* data, size_t len);

}  // namespace mproc::platform::winproc
