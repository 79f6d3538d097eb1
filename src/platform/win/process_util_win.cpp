// Handles, text, Win32 errors and waits: the pieces every other
// process_*/pipe_* file of the Windows layer stands on.
#include <fcntl.h>
#include <io.h>

#include <cerrno>

#include "platform/error.hpp"
#include "win_process.hpp"

namespace mproc::platform::winproc {

void UniqueHandle::reset(HANDLE h) noexcept {
  HANDLE old = std::exchange(h_, h);
  if (valid(old)) ::CloseHandle(old);
}

int handle_to_int(HANDLE h) noexcept {
  return static_cast<int>(reinterpret_cast<intptr_t>(h));
}

HANDLE handle_from_int(int value) noexcept {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(value));
}

HANDLE handle_of_crt_fd(int fd) {
  // The CRT's parameter handler would abort on a bad descriptor in a debug
  // runtime; a negative one is refused before asking.
  if (fd < 0) fail(MPROC_EBADF, "descriptor " + std::to_string(fd) + " is not open");
  intptr_t h = ::_get_osfhandle(fd);
  if (h == -1 || h == -2)  // -2: a std stream with no console behind it
    fail(MPROC_EBADF, "descriptor " + std::to_string(fd) + " is not open");
  return reinterpret_cast<HANDLE>(h);
}

int crt_fd_of_handle(HANDLE h, int flags) {
  int fd = ::_open_osfhandle(reinterpret_cast<intptr_t>(h), flags);
  if (fd < 0) fail(MPROC_EMFILE, "no CRT descriptor for a handle: too many open files");
  return fd;
}

UniqueHandle duplicate_handle(HANDLE h, bool inheritable) {
  HANDLE copy = nullptr;
  HANDLE self = ::GetCurrentProcess();
  if (!::DuplicateHandle(self, h, self, &copy, 0, inheritable ? TRUE : FALSE,
                         DUPLICATE_SAME_ACCESS))
    fail_last_error("DuplicateHandle");
  return UniqueHandle(copy);
}

std::wstring utf8_to_wide(const std::string& s, const char* what) {
  if (s.find('\0') != std::string::npos)
    fail(MPROC_EINVAL, std::string(what) + " contains a NUL character");
  if (s.empty()) return std::wstring();
  if (s.size() > INT32_MAX) fail(MPROC_ENAMETOOLONG, std::string(what) + " is too long");
  int n = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s.data(),
                                static_cast<int>(s.size()), nullptr, 0);
  if (n <= 0) fail(MPROC_EINVAL, std::string(what) + " is not valid UTF-8");
  std::wstring out(static_cast<size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s.data(), static_cast<int>(s.size()),
                        out.data(), n);
  return out;
}

std::string wide_to_utf8(const std::wstring& s) {
  if (s.empty()) return std::string();
  // Unpaired surrogates become U+FFFD rather than failing: this direction
  // only makes text for messages and paths we found ourselves.
  int n = ::WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0,
                                nullptr, nullptr);
  std::string out(static_cast<size_t>(n > 0 ? n : 0), '\0');
  if (n > 0)
    ::WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n,
                          nullptr, nullptr);
  return out;
}

int code_from_win32(DWORD err) noexcept {
  switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_MOD_NOT_FOUND:
      return MPROC_ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_PRIVILEGE_NOT_HELD:
      return MPROC_EACCES;
    case ERROR_INVALID_HANDLE:
      return MPROC_EBADF;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
      return MPROC_ENOMEM;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case ERROR_PIPE_NOT_CONNECTED:
      return MPROC_EPIPE;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_NEGATIVE_SEEK:
      return MPROC_EINVAL;
    case ERROR_BAD_EXE_FORMAT:
    case ERROR_EXE_MACHINE_TYPE_MISMATCH:
    case ERROR_BAD_FORMAT:
      return MPROC_ENOEXEC;
    case ERROR_FILENAME_EXCED_RANGE:
      return MPROC_ENAMETOOLONG;
    case ERROR_DIRECTORY:
      return MPROC_ENOTDIR;
    case ERROR_TOO_MANY_OPEN_FILES:
      return MPROC_EMFILE;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
      return MPROC_EEXIST;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return MPROC_ENOSPC;
    case ERROR_TIMEOUT:
    case ERROR_SEM_TIMEOUT:
    case WAIT_TIMEOUT:
      return MPROC_ETIMEDOUT;
    case ERROR_NOT_SUPPORTED:
    case ERROR_CALL_NOT_IMPLEMENTED:
      return MPROC_ENOTSUP;
    case ERROR_PIPE_BUSY:
    case ERROR_BUSY:
      return MPROC_EBUSY;
    case ERROR_OPERATION_ABORTED:
      return MPROC_EINTR;
    default:
      return MPROC_EIO;
  }
}

void fail_win32(const std::string& what, DWORD err) {
  wchar_t* text = nullptr;
  DWORD n = ::FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_MAX_WIDTH_MASK,
                             nullptr, err, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string message;
  if (n > 0 && text != nullptr) {
    std::wstring w(text, n);
    while (!w.empty() && (w.back() == L' ' || w.back() == L'.' || w.back() == L'\r' ||
                          w.back() == L'\n'))
      w.pop_back();
    message = wide_to_utf8(w);
  }
  if (text != nullptr) ::LocalFree(text);
  int code = code_from_win32(err);
  if (message.empty()) message = error_text(code);
  fail(code, what + ": " + message + " (Windows error " + std::to_string(err) + ")");
}

void fail_last_error(const std::string& what) { fail_win32(what, ::GetLastError()); }

DWORD wait_ms(const Deadline& deadline) noexcept {
  if (deadline.forever()) return INFINITE;
  int ms = deadline.poll_ms();  // rounded up
  return static_cast<DWORD>(ms < 0 ? 0 : ms);
}

int wait_any(const HANDLE* handles, size_t count, const Deadline& deadline) {
  if (count == 0 || count > MAXIMUM_WAIT_OBJECTS)
    fail(MPROC_EINVAL, "wait_any: between 1 and 64 handles");
  for (;;) {
    DWORD r = ::WaitForMultipleObjects(static_cast<DWORD>(count), handles, FALSE,
                                       wait_ms(deadline));
    if (r < WAIT_OBJECT_0 + count) return static_cast<int>(r - WAIT_OBJECT_0);
    // An abandoned mutex is signalled too: its index is reported, and the
    // caller's own wait on it learns the rest.
    if (r >= WAIT_ABANDONED_0 && r < WAIT_ABANDONED_0 + count)
      return static_cast<int>(r - WAIT_ABANDONED_0);
    if (r == WAIT_TIMEOUT) {
      // The wait can end up to a timer tick early: only the monotonic
      // clock says the deadline has come.
      if (deadline.expired()) return -1;
      continue;
    }
    fail_last_error("WaitForMultipleObjects");
  }
}

HANDLE duplicate_into(HANDLE process, HANDLE ours) {
  HANDLE theirs = nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), ours, process, &theirs, 0, FALSE,
                         DUPLICATE_SAME_ACCESS))
    fail_last_error("DuplicateHandle into the child");
  return theirs;
}

UniqueHandle take_from(HANDLE process, HANDLE theirs) {
  HANDLE ours = nullptr;
  if (!::DuplicateHandle(process, theirs, ::GetCurrentProcess(), &ours, 0, FALSE,
                         DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE))
    fail_last_error("DuplicateHandle from the other process");
  return UniqueHandle(ours);
}

}  // namespace mproc::platform::winproc
