#include "platform/pipes.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "platform/error.hpp"

namespace mproc::platform {

void make_socket_pair(UniqueFd* a, UniqueFd* b) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail_errno("socketpair");
  a->reset(sv[0]);
  b->reset(sv[1]);
}

void check_stream_socket(int user_fd) {
  const std::string what = "descriptor " + std::to_string(user_fd);
  const char* need = ": a connection end must be a connected stream socket";
  struct stat st;
  if (user_fd < 0 || ::fstat(user_fd, &st) != 0) {
    if (user_fd < 0 || errno == EBADF) fail(MPROC_EBADF, what + " is not open");
    fail_errno(what);
  }
  if (!S_ISSOCK(st.st_mode)) {
    const char* kind = S_ISFIFO(st.st_mode)  ? "a pipe"
                       : S_ISREG(st.st_mode) ? "a regular file"
                       : S_ISDIR(st.st_mode) ? "a directory"
                       : S_ISCHR(st.st_mode) ? "a character device"
                                             : "not a socket";
    fail(MPROC_ETYPE, what + " is " + kind + need);
  }
  int type = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(user_fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
    fail_errno(what + ": getsockopt(SO_TYPE)");
  if (type != SOCK_STREAM) fail(MPROC_ETYPE, what + " is a socket but not a stream socket" + need);
  // A listening socket, or one never connected (or whose connection was
  // reset), has no peer.
  sockaddr_storage peer;
  socklen_t peer_len = sizeof peer;
  if (::getpeername(user_fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
    if (errno == ENOTCONN) fail(MPROC_ETYPE, what + " is a stream socket with no peer" + need);
    fail_errno(what + ": getpeername");
  }
}

void make_pipe(UniqueFd* read_end, UniqueFd* write_end, KeptEnd) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) fail_errno("pipe2");
  read_end->reset(p[0]);
  write_end->reset(p[1]);
}

UniqueFd open_null(bool for_writing) {
  UniqueFd fd(::open("/dev/null", (for_writing ? O_WRONLY : O_RDONLY) | O_CLOEXEC));
  if (!fd) fail_errno("open /dev/null");
  return fd;
}

UniqueFd open_stream_file(const std::string& path, StreamFile how, const std::string& what) {
  int flags = O_RDONLY;
  if (how == StreamFile::kWriteTruncate) flags = O_WRONLY | O_CREAT | O_TRUNC;
  if (how == StreamFile::kWriteAppend) flags = O_WRONLY | O_CREAT | O_APPEND;
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC, 0644));
  if (!fd) fail_errno(what);
  return fd;
}

bool is_directory(const std::string& path) noexcept {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace mproc::platform
