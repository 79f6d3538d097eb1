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

}  // namespace mproc::platform::winproc
