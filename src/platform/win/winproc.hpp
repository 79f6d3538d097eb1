// Windows primitives for child processes: owned handles, the descriptor
// conventions, launching with an explicit handle list, Job objects, exit
// watching and handing handles to a started child. An internal API that
// the platform interfaces in src/platform/*.hpp are mapped onto; nothing in
// core includes it.
//
// Conventions (DESIGN.md, "Windows mapping"):
// - An OS descriptor `int` in core is a HANDLE value truncated to 32 bits
//   (Windows keeps handle values below 2^24 so they can cross to 32-bit
//   processes); handle_from_int sign-extends it back, so -1 stays
//   INVALID_HANDLE_VALUE.
// - The C ABI's `int fd` arguments are CRT descriptors: handle_of_crt_fd and
//   crt_fd_of_handle convert at the boundary.
// - Text in is UTF-8 and converted to UTF-16 for the W functions.
// - Errors throw mproc::Error with an MPROC_E* code and a sentence.
#pragma once

#include <windows.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "platform/deadline.hpp"
#include "security.hpp"
#include "win32_error.hpp"

// A separate namespace from the other Windows files of the platform layer,
// so helpers of the same name cannot collide at link time.
namespace mproc::platform::winproc {

// --- Handles --------------------------------------------------------------

// Closes its handle when destroyed. Null and INVALID_HANDLE_VALUE both mean
// "none" (APIs disagree on which one they return for failure).
class UniqueHandle {
 public:
  UniqueHandle() noexcept = default;
  explicit UniqueHandle(HANDLE h) noexcept : h_(h) {}
  UniqueHandle(UniqueHandle&& other) noexcept : h_(other.release()) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { reset(); }

  HANDLE get() const noexcept { return h_; }
  explicit operator bool() const noexcept { return valid(h_); }
  HANDLE release() noexcept { return std::exchange(h_, nullptr); }
  void reset(HANDLE h = nullptr) noexcept;

  static bool valid(HANDLE h) noexcept { return h != nullptr && h != INVALID_HANDLE_VALUE; }

 private:
  HANDLE h_ = nullptr;
};

// The core's `int` for a handle, and back (sign-extending).
int handle_to_int(HANDLE h) noexcept;
HANDLE handle_from_int(int value) noexcept;

// The OS handle behind CRT descriptor `fd`, still owned by the CRT. Throws
// EBADF for a descriptor that is not open.
HANDLE handle_of_crt_fd(int fd);
// A CRT descriptor owning `h` (taken over on success only). `flags` are
// _open_osfhandle's (_O_RDONLY, _O_APPEND, ...). Throws EMFILE.
int crt_fd_of_handle(HANDLE h, int flags);

// A duplicate of `h` in this process, inheritable or not. Throws.
UniqueHandle duplicate_handle(HANDLE h, bool inheritable);

// --- Text and errors -------------------------------------------------------

// UTF-8 <-> UTF-16 (utf8_to_wide, wide_to_utf8) live in security.hpp and
// code_from_win32 / fail_win32 in win32_error.hpp: one home for each in
// the Windows layer. Unqualified calls here find them in the enclosing
// namespace.
// Throws Error("<what>: <system message> (Windows error N)") for the
// calling thread's GetLastError().
[[noreturn]] inline void fail_last_error(const std::string& what) { fail_win32(what); }

// --- Waiting ----------------------------------------------------------------

// Milliseconds for a Wait* call: INFINITE when forever, rounded up.
DWORD wait_ms(const Deadline& deadline) noexcept;
// Waits for any of `handles` (at most MAXIMUM_WAIT_OBJECTS) to be signalled.
// Returns its index, or -1 once the deadline has passed (never before:
// Windows' timer may end a wait a tick early, so that is checked). Throws.
int wait_any(const HANDLE* handles, size_t count, const Deadline& deadline);

// --- Command lines, environments, programs ---------------------------------

// The command line CommandLineToArgvW and the MSVCRT parse back into
// exactly `argv`. argv[0] follows the program-name rule (no escapes), so one
// containing '"' is EINVAL; E2BIG beyond Windows' 32767 characters.
std::wstring build_command_line(const std::vector<std::string>& argv);
// A CREATE_UNICODE_ENVIRONMENT block from NAME=value strings: sorted by name
// without regard to case as Windows requires, a later duplicate name
// replacing an earlier one. EINVAL for an entry without a name.
std::wstring build_environment_block(const std::vector<std::string>& env);
// Finds `name` as cmd.exe does: a name with a path separator or drive is
// taken as it is (trying the PATHEXT extensions when it has none and does
// not exist); a bare name is looked up in each directory of `path_var`
// (';'-separated, quotes allowed), as it is when it has an extension and
// then with each extension of `pathext_var` (".COM;.EXE;.BAT;.CMD" when
// empty). The current directory is not searched (as with
// NoDefaultCurrentDirectoryInExePath). Throws ENOENT naming it.
std::string resolve_program(const std::string& name, const std::string& path_var,
                            const std::string& pathext_var);

// --- Jobs -------------------------------------------------------------------

// A Job object holding one child and, since nothing may break away, all of
// its descendants. Jobs nest (Windows 8+): a child's own children go in
// jobs inside it, so killing a job reaches every generation below it.
class Job {
 public:
  // kill_on_close: every process in the job dies when the last handle to
  // it closes, that is when this process dies (daemon children).
  explicit Job(bool kill_on_close);
  HANDLE get() const noexcept { return job_.get(); }
  // Ends every process in the job with `exit_code`. Returns 0 or an MPROC
  // code.
  int terminate(DWORD exit_code) noexcept;
  // Whether any process of the job still runs.
  bool empty() const;

 private:
  UniqueHandle job_;
};

// --- Jobs of this process's children -----------------------------------------

// The job a started child was put in, by its pid, kept while the job has
// processes (a kill-on-close job must stay open: closing it kills them) and
// found again by pid to end a group after its leader ended. Entries whose
// job has emptied are dropped as new ones are added.
void remember_job(DWORD pid, std::shared_ptr<Job> job);
std::shared_ptr<Job> job_of(DWORD pid);

// --- Launching ----------------------------------------------------------------

struct LaunchSpec {
  std::string program;  // path of the executable (resolve_program's result)
  std::vector<std::string> argv;
  std::optional<std::vector<std::string>> env;  // NAME=value; none: ours
  std::string cwd;                              // empty: ours
  // The child's stdin, stdout, stderr; null: this process's own.
  HANDLE std_handles[3] = {nullptr, nullptr, nullptr};
  // Further handles the child gets (LaunchResult::extra_in_child tells their
  // values there). Nothing else of this process is inherited.
  std::vector<HANDLE> extra;
  // For each of `extra` (when not empty: as many entries), the C runtime
  // descriptor (3 or more) the child finds it at, or -1 for none. Given
  // any, the child's CRT table (STARTUPINFO's lpReserved2, which the
  // Microsoft C runtimes read at start-up) is filled in: descriptors 0-2
  // are its std handles, the numbers given are these handles, and every
  // other number is closed.
  std::vector<int> extra_crt_fds;
  // A new process group (Ctrl+C of the console does not reach it); the job
  // is what makes a group terminable as a whole.
  bool new_group = false;
  // The job the child is put in before it runs its first instruction
  // (null: none).
  const Job* job = nullptr;
};

struct LaunchResult {
  UniqueHandle process;  // full access: wait, terminate, duplicate into
  DWORD pid = 0;
  std::vector<HANDLE> extra_in_child;  // LaunchSpec::extra's values in the child
};

// Starts the program suspended, puts it in the job, then lets it run, so no
// grandchild can be made outside the job. The child inherits exactly its
// std handles and `extra`: inheritable duplicates are made for this launch
// and named in a PROC_THREAD_ATTRIBUTE_HANDLE_LIST, and the originals are
// never marked inheritable, so launches on other threads (ours or any
// other code's) cannot pick them up. No console window is opened. Batch
// files are refused (ENOEXEC: run cmd.exe /c explicitly; CreateProcess
// would hand them to cmd.exe with its own quoting rules). Throws.
LaunchResult launch(const LaunchSpec& spec);

// --- Exits and termination -----------------------------------------------------

// Exit codes TerminateProcess is given for a "signal", read back as -sig
// (Python's convention: its terminate() uses 0x10000 and reports -SIGTERM).
// 0x10000 is SIGTERM's for compatibility with CPython; others are
// 0x10000 + sig.
inline constexpr DWORD kTerminateBase = 0x10000;
DWORD exit_code_for_signal(int sig) noexcept;
// The library's exit code for a process's Windows exit code: -sig for the
// codes above, the code itself (as a signed 32-bit value) otherwise.
int exitcode_from_win32(DWORD code) noexcept;

// Waits for the process to end. False when the deadline passed first.
bool wait_exit(HANDLE process, const Deadline& deadline);
// Non-blocking: whether it has ended, and then its exit code (mapped).
bool try_exitcode(HANDLE process, int* exitcode);
// Ends the process (or its whole job when `job` is given) as if by signal
// `sig` (1..64). Returns 0, also when it had already ended; an MPROC code
// otherwise (EINVAL for a bad signal number).
int terminate(HANDLE process, const Job* job, int sig) noexcept;

// --- Handing handles to a started child ---------------------------------------

// Duplicates `ours` into `process` (which needs PROCESS_DUP_HANDLE) and
// returns the value it has there, for a bootstrap record to carry. The
// copy belongs to the child: it closes when the child exits.
HANDLE duplicate_into(HANDLE process, HANDLE ours);
// The other direction (the child taking a handle its parent left in it is
// just using the value): moves `theirs` out of `process` into this one,
// closing it there.
UniqueHandle take_from(HANDLE process, HANDLE theirs);

// Files a command's streams are redirected to: platform/pipes.hpp's
// open_null and open_stream_file (win/pipes.cpp).

}  // namespace mproc::platform::winproc
