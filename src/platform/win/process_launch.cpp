// Starting a program with CreateProcessW so that it inherits exactly the
// handles it was given and runs inside its job from its first instruction.
#include <algorithm>
#include <cstring>
#include <cwctype>
#include <memory>

#include "platform/error.hpp"
#include "winproc.hpp"

namespace mproc::platform::winproc {
namespace {

// The attribute list STARTUPINFOEXW points at, freed on every path.
class AttributeList {
 public:
  explicit AttributeList(DWORD count) {
    SIZE_T size = 0;
    ::InitializeProcThreadAttributeList(nullptr, count, 0, &size);
    storage_.reset(new char[size]);
    list_ = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.get());
    if (!::InitializeProcThreadAttributeList(list_, count, 0, &size)) {
      list_ = nullptr;
      fail_last_error("InitializeProcThreadAttributeList");
    }
  }
  ~AttributeList() {
    if (list_ != nullptr) ::DeleteProcThreadAttributeList(list_);
  }
  LPPROC_THREAD_ATTRIBUTE_LIST get() const noexcept { return list_; }

 private:
  std::unique_ptr<char[]> storage_;
  LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
};

bool is_batch_file(const std::wstring& path) {
  size_t dot = path.find_last_of(L'.');
  if (dot == std::wstring::npos || path.find_first_of(L"\\/", dot) != std::wstring::npos)
    return false;
  std::wstring ext = path.substr(dot);
  for (auto& c : ext) c = static_cast<wchar_t>(std::towlower(c));
  return ext == L".bat" || ext == L".cmd";
}

const DWORD kStdIds[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};

// The C runtime's inherited-descriptor table (what msvcrt and the UCRT read
// from lpReserved2 at start-up, and what their spawn functions write):
// an int count, then count flag bytes, then count handles, unaligned.
// Flags of an open entry: FOPEN, plus FPIPE or FDEV for its kind.
constexpr unsigned char kCrtOpen = 0x01, kCrtPipe = 0x08, kCrtDevice = 0x40;
// cbReserved2 is a WORD; the descriptors must also fit the CRT's own table
// (msvcrt's holds 2048).
constexpr int kMaxCrtFds = 2048;

unsigned char crt_flags(HANDLE h) {
  if (!UniqueHandle::valid(h)) return 0;
  switch (::GetFileType(h)) {
    case FILE_TYPE_PIPE:
      return kCrtOpen | kCrtPipe;
    case FILE_TYPE_CHAR:
      return kCrtOpen | kCrtDevice;
    default:
      return kCrtOpen;
  }
}

// `handles[i]` at CRT descriptor i (null: closed), as one lpReserved2 blob.
std::vector<unsigned char> crt_table(const std::vector<HANDLE>& handles) {
  int count = static_cast<int>(handles.size());
  std::vector<unsigned char> blob(sizeof(int) + handles.size() * (1 + sizeof(HANDLE)));
  std::memcpy(blob.data(), &count, sizeof count);
  for (size_t i = 0; i < handles.size(); ++i) {
    blob[sizeof(int) + i] = crt_flags(handles[i]);
    HANDLE h = UniqueHandle::valid(handles[i]) ? handles[i] : INVALID_HANDLE_VALUE;
    std::memcpy(blob.data() + sizeof(int) + handles.size() + i * sizeof(HANDLE), &h, sizeof h);
  }
  return blob;
}

}  // namespace

LaunchResult launch(const LaunchSpec& spec) {
  if (spec.program.empty()) fail(MPROC_EINVAL, "launch: no program");
  std::wstring program = utf8_to_wide(spec.program, "the program path");
  if (is_batch_file(program))
    fail(MPROC_ENOEXEC, "cannot run '" + spec.program +
                            "' directly: batch files need cmd.exe, whose quoting differs; "
                            "run cmd.exe /c with the arguments quoted for it");
  std::wstring command_line = build_command_line(spec.argv);
  std::wstring env_block;
  if (spec.env) env_block = build_environment_block(*spec.env);
  std::wstring cwd;
  if (!spec.cwd.empty()) {
    cwd = utf8_to_wide(spec.cwd, "the working directory");
    DWORD attrs = ::GetFileAttributesW(cwd.c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES || (attrs & FILE_ATTRIBUTE_DIRECTORY) == 0)
      fail(MPROC_ENOENT, "cannot run '" + spec.program + "': working directory '" +
                             spec.cwd + "' does not exist");
  }

  // Inheritable copies made for this launch alone: the caller's handles are
  // never marked inheritable, so another thread's CreateProcess can not
  // take them, and the list below keeps this child from taking anything
  // else that happens to be inheritable.
  std::vector<UniqueHandle> copies;
  std::vector<HANDLE> inherit;
  HANDLE std_copies[3] = {nullptr, nullptr, nullptr};
  for (int i = 0; i < 3; ++i) {
    HANDLE source = spec.std_handles[i];
    bool ours = source == nullptr;
    if (ours) source = ::GetStdHandle(kStdIds[i]);
    if (!UniqueHandle::valid(source)) continue;  // no console and no stream: none
    UniqueHandle copy;
    try {
      copy = duplicate_handle(source, true);
    } catch (const Error&) {
      if (!ours) throw;
      continue;  // a std handle that can not be copied is not passed on
    }
    std_copies[i] = copy.get();
    inherit.push_back(copy.get());
    copies.push_back(std::move(copy));
  }
  LaunchResult result;
  for (HANDLE h : spec.extra) {
    if (!UniqueHandle::valid(h)) fail(MPROC_EBADF, "launch: an extra handle is not valid");
    UniqueHandle copy = duplicate_handle(h, true);
    result.extra_in_child.push_back(copy.get());
    inherit.push_back(copy.get());
    copies.push_back(std::move(copy));
  }

  // The CRT table, when descriptors were asked for by number.
  std::vector<unsigned char> crt;
  if (!spec.extra_crt_fds.empty()) {
    if (spec.extra_crt_fds.size() != spec.extra.size())
      fail(MPROC_EINVAL, "launch: one CRT descriptor number per extra handle");
    int highest = 2;
    for (int fd : spec.extra_crt_fds) {
      if (fd != -1 && (fd < 3 || fd >= kMaxCrtFds))
        fail(MPROC_EINVAL, "cannot run '" + spec.program + "': descriptor " +
                               std::to_string(fd) + " is out of range for a Windows child "
                               "(3 to " + std::to_string(kMaxCrtFds - 1) + ")");
      highest = std::max(highest, fd);
    }
    std::vector<HANDLE> at(static_cast<size_t>(highest) + 1, nullptr);
    for (int i = 0; i < 3; ++i) at[i] = std_copies[i];
    for (size_t k = 0; k < spec.extra.size(); ++k)
      if (spec.extra_crt_fds[k] >= 0) at[spec.extra_crt_fds[k]] = result.extra_in_child[k];
    crt = crt_table(at);
  }

  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = std_copies[0];
  si.StartupInfo.hStdOutput = std_copies[1];
  si.StartupInfo.hStdError = std_copies[2];
  if (!crt.empty()) {
    si.StartupInfo.cbReserved2 = static_cast<WORD>(crt.size());
    si.StartupInfo.lpReserved2 = crt.data();
  }
  AttributeList attributes(1);
  if (!inherit.empty() &&
      !::UpdateProcThreadAttribute(attributes.get(), 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                   inherit.data(), inherit.size() * sizeof(HANDLE), nullptr,
                                   nullptr))
    fail_last_error("UpdateProcThreadAttribute(handle list)");
  si.lpAttributeList = attributes.get();

  // Suspended until it is in its job. A parent without a console (a GUI
  // program, a service) would otherwise see a console window open for
  // every console child; with a console, children share it as Python's do,
  // so Ctrl+C reaches those not in a new group.
  DWORD flags = CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT | CREATE_SUSPENDED;
  if (spec.new_group) flags |= CREATE_NEW_PROCESS_GROUP;
  if (::GetConsoleWindow() == nullptr) flags |= CREATE_NO_WINDOW;

  PROCESS_INFORMATION pi{};
  auto create = [&] {
    return ::CreateProcessW(program.c_str(), command_line.data(), nullptr, nullptr,
                            inherit.empty() ? FALSE : TRUE, flags,
                            spec.env ? const_cast<wchar_t*>(env_block.c_str()) : nullptr,
                            cwd.empty() ? nullptr : cwd.c_str(), &si.StartupInfo, &pi);
  };
  // Wine reports a new process that died in its own loader, before any of
  // its code ran, as ERROR_INTERNAL_ERROR (its NtCreateUserProcess maps a
  // start-up that never signalled success to STATUS_INTERNAL_ERROR); under
  // load that happens about once in a few thousand starts. Nothing was
  // created that we hold, so trying again is safe; Windows itself does not
  // return this error here, so the loop costs nothing there.
  BOOL created = create();
  for (int retry = 1; !created && ::GetLastError() == ERROR_INTERNAL_ERROR && retry <= 3; ++retry) {
    ::Sleep(static_cast<DWORD>(10 * retry));
    created = create();
  }
  if (!created) {
    DWORD err = ::GetLastError();
    // A file that is no program: POSIX says EACCES for a file it may not
    // execute, and Windows has no execute bit but this.
    if (err == ERROR_BAD_EXE_FORMAT || err == ERROR_EXE_MACHINE_TYPE_MISMATCH)
      fail(MPROC_EACCES, "cannot run '" + spec.program + "': not a program Windows can run "
                         "(Windows error " + std::to_string(err) + ")");
    fail_win32("cannot run '" + spec.program + "'", err);
  }
  UniqueHandle process(pi.hProcess), thread(pi.hThread);

  if (spec.job != nullptr && !::AssignProcessToJobObject(spec.job->get(), process.get())) {
    DWORD err = ::GetLastError();
    // It has run no instruction yet; it must not run outside its job.
    ::TerminateProcess(process.get(), 1);
    ::WaitForSingleObject(process.get(), INFINITE);
    fail_win32("cannot run '" + spec.program + "': AssignProcessToJobObject", err);
  }
  if (::ResumeThread(thread.get()) == static_cast<DWORD>(-1)) {
    DWORD err = ::GetLastError();
    ::TerminateProcess(process.get(), 1);
    fail_win32("cannot run '" + spec.program + "': ResumeThread", err);
  }
  result.process = std::move(process);
  result.pid = pi.dwProcessId;
  return result;
}

}  // namespace mproc::platform::winproc
