#include "win32_error.hpp"

#include <windows.h>

#include <mproc/common.h>

#include "platform/error.hpp"

namespace mproc::platform {

int code_from_win32(unsigned long err) noexcept {
  switch (err) {
    case ERROR_SUCCESS:
      return MPROC_EINTERNAL;  // a failure reported without a reason
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_MOD_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
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
      return MPROC_ENOMEM;
    // The system commit limit (RAM plus page files) is what backs
    // pagefile mappings: running out of it is running out of space.
    case ERROR_COMMITMENT_LIMIT:
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return MPROC_ENOSPC;
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_NONPAGED_SYSTEM_RESOURCES:
    case ERROR_PAGED_SYSTEM_RESOURCES:
      return MPROC_ENOMEM;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
      return MPROC_EEXIST;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_INVALID_ADDRESS:
    case ERROR_NEGATIVE_SEEK:
      return MPROC_EINVAL;
    case ERROR_FILENAME_EXCED_RANGE:
      return MPROC_ENAMETOOLONG;
    case ERROR_TOO_MANY_OPEN_FILES:
      return MPROC_EMFILE;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case ERROR_PIPE_NOT_CONNECTED:
      return MPROC_EPIPE;
    case ERROR_BUSY:
    case ERROR_PIPE_BUSY:
      return MPROC_EBUSY;
    case ERROR_NOT_SUPPORTED:
    case ERROR_CALL_NOT_IMPLEMENTED:
      return MPROC_ENOTSUP;
    case ERROR_TIMEOUT:
    case ERROR_SEM_TIMEOUT:
    case WAIT_TIMEOUT:
      return MPROC_ETIMEDOUT;
    case ERROR_DIRECTORY:
      return MPROC_ENOTDIR;
    case ERROR_BAD_EXE_FORMAT:
    case ERROR_EXE_MACHINE_TYPE_MISMATCH:
    case ERROR_BAD_FORMAT:
      return MPROC_ENOEXEC;
    case ERROR_ARITHMETIC_OVERFLOW:
      return MPROC_EOVERFLOW;
    case ERROR_INVALID_DATA:
      return MPROC_ECORRUPT;
    // An I/O cancelled (CancelIoEx) before it completed.
    case ERROR_OPERATION_ABORTED:
      return MPROC_EINTR;
    default:
      return MPROC_EIO;
  }
}

std::string win32_text(unsigned long err) {
  wchar_t* wide = nullptr;
  DWORD flags = FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_MAX_WIDTH_MASK;
  DWORD n = FormatMessageW(flags, nullptr, err, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US),
                           reinterpret_cast<wchar_t*>(&wide), 0, nullptr);
  if (n == 0)  // no English text installed: the user's language will do
    n = FormatMessageW(flags, nullptr, err, 0, reinterpret_cast<wchar_t*>(&wide), 0, nullptr);
  std::string text;
  if (n != 0 && wide != nullptr) {
    int len = WideCharToMultiByte(CP_UTF8, 0, wide, static_cast<int>(n), nullptr, 0, nullptr,
                                  nullptr);
    if (len > 0) {
      text.resize(static_cast<size_t>(len));
      WideCharToMultiByte(CP_UTF8, 0, wide, static_cast<int>(n), &text[0], len, nullptr,
                          nullptr);
    }
  }
  if (wide != nullptr) LocalFree(wide);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\n' ||
                           text.back() == '.'))
    text.pop_back();
  if (text.empty()) text = error_text(code_from_win32(err));
  return text;
}

void fail_win32(const std::string& what, unsigned long err) {
  fail(code_from_win32(err),
       what + ": " + win32_text(err) + " (Windows error " + std::to_string(err) + ")");
}

void fail_win32(const std::string& what) { fail_win32(what, GetLastError()); }

}  // namespace mproc::platform
