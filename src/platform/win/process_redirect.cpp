// Files a command's streams can be redirected to: NUL and paths given in
// UTF-8.
#include "platform/error.hpp"
#include "winproc.hpp"

namespace mproc::platform::winproc {

UniqueHandle open_null(bool for_writing) {
  HANDLE h = ::CreateFileW(L"NUL", for_writing ? GENERIC_WRITE : GENERIC_READ,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0,
                           nullptr);
  if (h == INVALID_HANDLE_VALUE) fail_last_error("open NUL");
  return UniqueHandle(h);
}

UniqueHandle open_file(const std::string& path, bool for_writing, bool append) {
  std::wstring wpath = utf8_to_wide(path, "the file name");
  // POSIX opens let others read, write, rename and delete meanwhile; the
  // share modes come as close as Windows allows.
  DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  DWORD access = GENERIC_READ;
  DWORD disposition = OPEN_EXISTING;
  if (for_writing) {
    // FILE_APPEND_DATA without FILE_WRITE_DATA makes every write land at
    // the end, as O_APPEND does, also when the file is shared.
    access = append ? (FILE_APPEND_DATA | SYNCHRONIZE | FILE_READ_ATTRIBUTES)
                    : GENERIC_WRITE;
    disposition = append ? OPEN_ALWAYS : CREATE_ALWAYS;
  }
  HANDLE h = ::CreateFileW(wpath.c_str(), access, share, nullptr, disposition,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE)
    fail_win32("cannot open '" + path + "' for " + (for_writing ? "writing" : "reading"),
               ::GetLastError());
  return UniqueHandle(h);
}

}  // namespace mproc::platform::winproc
