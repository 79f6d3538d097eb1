#include "platform/error.hpp"

#include <cerrno>
#include <cstring>

namespace mproc {
namespace {

// mproc's OS codes are Linux errno values on every system (common.h), so a
// system whose C library numbers errno differently (mingw's CRT: ETIMEDOUT
// is 138 there, 113 is EISCONN) needs both directions spelled out: its
// errno to the Linux number, and the Linux number to a name and a text.
#if !(defined(__linux__) && defined(__GLIBC__))
#define MPROC_LINUX_ERRNO_TABLE 1
struct LinuxErrno {
  int value;
  const char* name;
  const char* text;
};

// Linux's numbers, names (as glibc's strerrorname_np gives them) and texts.
constexpr LinuxErrno kLinuxErrnos[] = {
    {1, "EPERM", "Operation not permitted"},
    {2, "ENOENT", "No such file or directory"},
    {3, "ESRCH", "No such process"},
    {4, "EINTR", "Interrupted system call"},
    {5, "EIO", "Input/output error"},
    {6, "ENXIO", "No such device or address"},
    {7, "E2BIG", "Argument list too long"},
    {8, "ENOEXEC", "Exec format error"},
    {9, "EBADF", "Bad file descriptor"},
    {10, "ECHILD", "No child processes"},
    {11, "EAGAIN", "Resource temporarily unavailable"},
    {12, "ENOMEM", "Cannot allocate memory"},
    {13, "EACCES", "Permission denied"},
    {14, "EFAULT", "Bad address"},
    {15, "ENOTBLK", "Block device required"},
    {16, "EBUSY", "Device or resource busy"},
    {17, "EEXIST", "File exists"},
    {18, "EXDEV", "Invalid cross-device link"},
    {19, "ENODEV", "No such device"},
    {20, "ENOTDIR", "Not a directory"},
    {21, "EISDIR", "Is a directory"},
    {22, "EINVAL", "Invalid argument"},
    {23, "ENFILE", "Too many open files in system"},
    {24, "EMFILE", "Too many open files"},
    {25, "ENOTTY", "Inappropriate ioctl for device"},
    {26, "ETXTBSY", "Text file busy"},
    {27, "EFBIG", "File too large"},
    {28, "ENOSPC", "No space left on device"},
    {29, "ESPIPE", "Illegal seek"},
    {30, "EROFS", "Read-only file system"},
    {31, "EMLINK", "Too many links"},
    {32, "EPIPE", "Broken pipe"},
    {33, "EDOM", "Numerical argument out of domain"},
    {34, "ERANGE", "Numerical result out of range"},
    {35, "EDEADLK", "Resource deadlock avoided"},
    {36, "ENAMETOOLONG", "File name too long"},
    {37, "ENOLCK", "No locks available"},
    {38, "ENOSYS", "Function not implemented"},
    {39, "ENOTEMPTY", "Directory not empty"},
    {40, "ELOOP", "Too many levels of symbolic links"},
    {42, "ENOMSG", "No message of desired type"},
    {43, "EIDRM", "Identifier removed"},
    {44, "ECHRNG", "Channel number out of range"},
    {45, "EL2NSYNC", "Level 2 not synchronized"},
    {46, "EL3HLT", "Level 3 halted"},
    {47, "EL3RST", "Level 3 reset"},
    {48, "ELNRNG", "Link number out of range"},
    {49, "EUNATCH", "Protocol driver not attached"},
    {50, "ENOCSI", "No CSI structure available"},
    {51, "EL2HLT", "Level 2 halted"},
    {52, "EBADE", "Invalid exchange"},
    {53, "EBADR", "Invalid request descriptor"},
    {54, "EXFULL", "Exchange full"},
    {55, "ENOANO", "No anode"},
    {56, "EBADRQC", "Invalid request code"},
    {57, "EBADSLT", "Invalid slot"},
    {59, "EBFONT", "Bad font file format"},
    {60, "ENOSTR", "Device not a stream"},
    {61, "ENODATA", "No data available"},
    {62, "ETIME", "Timer expired"},
    {63, "ENOSR", "Out of streams resources"},
    {64, "ENONET", "Machine is not on the network"},
    {65, "ENOPKG", "Package not installed"},
    {66, "EREMOTE", "Object is remote"},
    {67, "ENOLINK", "Link has been severed"},
    {68, "EADV", "Advertise error"},
    {69, "ESRMNT", "Srmount error"},
    {70, "ECOMM", "Communication error on send"},
    {71, "EPROTO", "Protocol error"},
    {72, "EMULTIHOP", "Multihop attempted"},
    {73, "EDOTDOT", "RFS specific error"},
    {74, "EBADMSG", "Bad message"},
    {75, "EOVERFLOW", "Value too large for defined data type"},
    {76, "ENOTUNIQ", "Name not unique on network"},
    {77, "EBADFD", "File descriptor in bad state"},
    {78, "EREMCHG", "Remote address changed"},
    {79, "ELIBACC", "Can not access a needed shared library"},
    {80, "ELIBBAD", "Accessing a corrupted shared library"},
    {81, "ELIBSCN", ".lib section in a.out corrupted"},
    {82, "ELIBMAX", "Attempting to link in too many shared libraries"},
    {83, "ELIBEXEC", "Cannot exec a shared library directly"},
    {84, "EILSEQ", "Invalid or incomplete multibyte or wide character"},
    {85, "ERESTART", "Interrupted system call should be restarted"},
    {86, "ESTRPIPE", "Streams pipe error"},
    {87, "EUSERS", "Too many users"},
    {88, "ENOTSOCK", "Socket operation on non-socket"},
    {89, "EDESTADDRREQ", "Destination address required"},
    {90, "EMSGSIZE", "Message too long"},
    {91, "EPROTOTYPE", "Protocol wrong type for socket"},
    {92, "ENOPROTOOPT", "Protocol not available"},
    {93, "EPROTONOSUPPORT", "Protocol not supported"},
    {94, "ESOCKTNOSUPPORT", "Socket type not supported"},
    {95, "EOPNOTSUPP", "Operation not supported"},
    {96, "EPFNOSUPPORT", "Protocol family not supported"},
    {97, "EAFNOSUPPORT", "Address family not supported by protocol"},
    {98, "EADDRINUSE", "Address already in use"},
    {99, "EADDRNOTAVAIL", "Cannot assign requested address"},
    {100, "ENETDOWN", "Network is down"},
    {101, "ENETUNREACH", "Network is unreachable"},
    {102, "ENETRESET", "Network dropped connection on reset"},
    {103, "ECONNABORTED", "Software caused connection abort"},
    {104, "ECONNRESET", "Connection reset by peer"},
    {105, "ENOBUFS", "No buffer space available"},
    {106, "EISCONN", "Transport endpoint is already connected"},
    {107, "ENOTCONN", "Transport endpoint is not connected"},
    {108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown"},
    {109, "ETOOMANYREFS", "Too many references: cannot splice"},
    {110, "ETIMEDOUT", "Connection timed out"},
    {111, "ECONNREFUSED", "Connection refused"},
    {112, "EHOSTDOWN", "Host is down"},
    {113, "EHOSTUNREACH", "No route to host"},
    {114, "EALREADY", "Operation already in progress"},
    {115, "EINPROGRESS", "Operation now in progress"},
    {116, "ESTALE", "Stale file handle"},
    {117, "EUCLEAN", "Structure needs cleaning"},
    {118, "ENOTNAM", "Not a XENIX named type file"},
    {119, "ENAVAIL", "No XENIX semaphores available"},
    {120, "EISNAM", "Is a named type file"},
    {121, "EREMOTEIO", "Remote I/O error"},
    {122, "EDQUOT", "Disk quota exceeded"},
    {123, "ENOMEDIUM", "No medium found"},
    {124, "EMEDIUMTYPE", "Wrong medium type"},
    {125, "ECANCELED", "Operation canceled"},
    {126, "ENOKEY", "Required key not available"},
    {127, "EKEYEXPIRED", "Key has expired"},
    {128, "EKEYREVOKED", "Key has been revoked"},
    {129, "EKEYREJECTED", "Key was rejected by service"},
    {130, "EOWNERDEAD", "Owner died"},
    {131, "ENOTRECOVERABLE", "State not recoverable"},
    {132, "ERFKILL", "Operation not possible due to RF-kill"},
    {133, "EHWPOISON", "Memory page has hardware error"},
};

const LinuxErrno* linux_errno(int value) noexcept {
  for (const LinuxErrno& e : kLinuxErrnos)
    if (e.value == value) return &e;
  return nullptr;
}
#endif

// The Linux number of this C library's errno `err`. mingw's CRT agrees
// with Linux on the classic values (EPERM..ERANGE) and differs from
// EDEADLK on. (BSD and macOS differ from 35 on; their translation belongs
// here when they are built.)
int linux_errno_of(int err) noexcept {
  switch (err) {
#define MPROC__ERRNO_TO_LINUX(name, linux_value) \
  case name:                                     \
    return linux_value;
#ifdef _WIN32
    MPROC__ERRNO_TO_LINUX(EDEADLK, 35)
    MPROC__ERRNO_TO_LINUX(ENAMETOOLONG, 36)
    MPROC__ERRNO_TO_LINUX(ENOLCK, 37)
    MPROC__ERRNO_TO_LINUX(ENOSYS, 38)
    MPROC__ERRNO_TO_LINUX(ENOTEMPTY, 39)
    MPROC__ERRNO_TO_LINUX(EILSEQ, 84)
    // mingw's POSIX supplement (100 and up): every one differs from Linux.
    MPROC__ERRNO_TO_LINUX(EADDRINUSE, 98)
    MPROC__ERRNO_TO_LINUX(EADDRNOTAVAIL, 99)
    MPROC__ERRNO_TO_LINUX(EAFNOSUPPORT, 97)
    MPROC__ERRNO_TO_LINUX(EALREADY, 114)
    MPROC__ERRNO_TO_LINUX(EBADMSG, 74)
    MPROC__ERRNO_TO_LINUX(ECANCELED, 125)
    MPROC__ERRNO_TO_LINUX(ECONNABORTED, 103)
    MPROC__ERRNO_TO_LINUX(ECONNREFUSED, 111)
    MPROC__ERRNO_TO_LINUX(ECONNRESET, 104)
    MPROC__ERRNO_TO_LINUX(EDESTADDRREQ, 89)
    MPROC__ERRNO_TO_LINUX(EHOSTUNREACH, 113)
    MPROC__ERRNO_TO_LINUX(EIDRM, 43)
    MPROC__ERRNO_TO_LINUX(EINPROGRESS, 115)
    MPROC__ERRNO_TO_LINUX(EISCONN, 106)
    MPROC__ERRNO_TO_LINUX(ELOOP, 40)
    MPROC__ERRNO_TO_LINUX(EMSGSIZE, 90)
    MPROC__ERRNO_TO_LINUX(ENETDOWN, 100)
    MPROC__ERRNO_TO_LINUX(ENETRESET, 102)
    MPROC__ERRNO_TO_LINUX(ENETUNREACH, 101)
    MPROC__ERRNO_TO_LINUX(ENOBUFS, 105)
    MPROC__ERRNO_TO_LINUX(ENODATA, 61)
    MPROC__ERRNO_TO_LINUX(ENOLINK, 67)
    MPROC__ERRNO_TO_LINUX(ENOMSG, 42)
    MPROC__ERRNO_TO_LINUX(ENOPROTOOPT, 92)
    MPROC__ERRNO_TO_LINUX(ENOSR, 63)
    MPROC__ERRNO_TO_LINUX(ENOSTR, 60)
    MPROC__ERRNO_TO_LINUX(ENOTCONN, 107)
    MPROC__ERRNO_TO_LINUX(ENOTRECOVERABLE, 131)
    MPROC__ERRNO_TO_LINUX(ENOTSOCK, 88)
    MPROC__ERRNO_TO_LINUX(ENOTSUP, 95)
    MPROC__ERRNO_TO_LINUX(EOPNOTSUPP, 95)
    MPROC__ERRNO_TO_LINUX(EOVERFLOW, 75)
    MPROC__ERRNO_TO_LINUX(EOWNERDEAD, 130)
    MPROC__ERRNO_TO_LINUX(EPROTO, 71)
    MPROC__ERRNO_TO_LINUX(EPROTONOSUPPORT, 93)
    MPROC__ERRNO_TO_LINUX(EPROTOTYPE, 91)
    MPROC__ERRNO_TO_LINUX(ETIME, 62)
    MPROC__ERRNO_TO_LINUX(ETIMEDOUT, 110)
    MPROC__ERRNO_TO_LINUX(ETXTBSY, 26)
    MPROC__ERRNO_TO_LINUX(EWOULDBLOCK, 11)
#endif
#undef MPROC__ERRNO_TO_LINUX
    default:
      return err;
  }
}

}  // namespace

void fail(int code, std::string message) {
  throw Error(code, std::move(message));
}

int code_from_errno(int err) noexcept {
  // OS codes are the negated Linux errno by definition (see common.h).
  return err > 0 ? -linux_errno_of(err) : MPROC_EINTERNAL;
}

void fail_errno(const std::string& what, int err) {
  int code = code_from_errno(err);
  throw Error(code, what + ": " + error_text(code));
}

void fail_errno(const std::string& what) { fail_errno(what, errno); }

const char* error_text(int code) noexcept {
  switch (code) {
    case 0:
      return "success";
#define MPROC__ERRNO_TEXT(name, value, message) \
  case MPROC_##name:                            \
    return message;
    MPROC_ERRNO_MAP(MPROC__ERRNO_TEXT)
#undef MPROC__ERRNO_TEXT
    default:
      break;
  }
  // An OS error outside the table: a Linux errno value, which glibc
  // knows (strerror's text for a valid errno is static there); elsewhere
  // the table above does.
#ifdef MPROC_LINUX_ERRNO_TABLE
  if (const LinuxErrno* e = linux_errno(-code)) return e->text;
#else
  if (code < 0 && code > -4096) return strerror(-code);
#endif
  return "unknown error";
}

bool documented_code(int code) noexcept {
  switch (code) {
    case 0:
#define MPROC__ERRNO_CASE(name, value, message) case MPROC_##name:
      MPROC_ERRNO_MAP(MPROC__ERRNO_CASE)
#undef MPROC__ERRNO_CASE
      return true;
    default:
      return false;
  }
}

const char* error_name(int code) noexcept {
  switch (code) {
    case 0:
      return "OK";
#define MPROC__ERRNO_NAME(name, value, message) \
  case MPROC_##name:                            \
    return #name;
    MPROC_ERRNO_MAP(MPROC__ERRNO_NAME)
#undef MPROC__ERRNO_NAME
    default:
      break;
  }
#ifdef MPROC_LINUX_ERRNO_TABLE
  if (const LinuxErrno* e = linux_errno(-code)) return e->name;
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  if (code < 0 && code > -4096) {
    if (const char* name = strerrorname_np(-code)) return name;
  }
#endif
  return "UNKNOWN";
}

}  // namespace mproc
