#include "platform/pipes.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/error.hpp"

namespace mproc::platform {

void make_socket_pair(UniqueFd* a, UniqueFd* b) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail_errno("socketpair");
  a->reset(sv[0]);
  b->reset(sv[1]);
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
