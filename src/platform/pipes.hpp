// Pipes, socket pairs and the files a child's standard streams are
// redirected to. Every descriptor made here is close-on-exec: a child gets
// one only when it is named in its ExecSpec (platform/exec.hpp) or passed
// with it (platform/fdpass.hpp).
#pragma once

#include <string>

#include "platform/fd.hpp"

namespace mproc::platform {

// A connected pair of stream sockets (both ends close-on-exec). Throws.
void make_socket_pair(UniqueFd* a, UniqueFd* b);
// Checks that the program's descriptor `user_fd` (a C runtime descriptor,
// see fd.hpp) can become a connection end: a connected stream socket.
// Throws MPROC_EBADF (not open), MPROC_ETYPE (anything else, with what it
// is), MPROC_ENOTSUP (Windows, whose connections are named pipes).
void check_stream_socket(int user_fd);
// Which ends of a pipe this process keeps: the other goes to a program (a
// command's stream), which does plain blocking I/O on it. POSIX ends need
// no such care; Windows makes the kept ends overlapped and the given one
// synchronous, as programs expect of their standard streams.
enum class KeptEnd { kBoth, kRead, kWrite };
// A pipe: bytes written to *write_end come out of *read_end. Throws.
void make_pipe(UniqueFd* read_end, UniqueFd* write_end, KeptEnd kept = KeptEnd::kBoth);

// The null device, for reading (a stream at its end) or writing (a sink).
UniqueFd open_null(bool for_writing);

// How a redirected stream opens its file.
enum class StreamFile { kRead, kWriteTruncate, kWriteAppend };
// Opens `path` for a child's stream; files written are created (mode 0644
// less the umask). Throws with the errno's code and "<what>: <reason>".
UniqueFd open_stream_file(const std::string& path, StreamFile how, const std::string& what);

// Whether `path` names an existing directory.
bool is_directory(const std::string& path) noexcept;

}  // namespace mproc::platform
