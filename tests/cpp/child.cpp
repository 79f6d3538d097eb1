// child.hpp: the test program's main, which runs either the tests or one
// registered child piece, and the start of such a child.
#include "child.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>

#ifdef _WIN32
#include <windows.h>
#else
#include <spawn.h>
#include <unistd.h>

#include "forked.hpp"
extern char** environ;
#endif

namespace mproc::testing {
namespace {

constexpr const char* kChildFlag = "--mproc-test-child";

std::map<std::string, ChildBody>& registry() {
  static std::map<std::string, ChildBody> pieces;
  return pieces;
}

#ifndef _WIN32
// This program's path, from main (Windows asks the OS instead).
std::string& program_path() {
  static std::string path;
  return path;
}
#endif

[[noreturn]] void run_piece(const char* name, const std::string& arg) {
  auto it = registry().find(name);
  if (it == registry().end()) std::exit(98);
  int rc = 1;
  try {
    rc = it->second(arg);
  } catch (...) {
    rc = 99;
  }
  std::exit(rc);
}

#ifdef _WIN32
std::wstring wide(const std::string& s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, nullptr, 0);
  std::wstring w(n > 0 ? n - 1 : 0, L'\0');
  if (n > 1) MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, w.data(), n);
  return w;
}

std::string narrow(const std::wstring& w) {
  int n = WideCharToMultiByte(CP_UTF8, 0, w.c_str(), -1, nullptr, 0, nullptr, nullptr);
  std::string s(n > 0 ? n - 1 : 0, '\0');
  if (n > 1) WideCharToMultiByte(CP_UTF8, 0, w.c_str(), -1, s.data(), n, nullptr, nullptr);
  return s;
}
#endif

}  // namespace

ChildRegistration::ChildRegistration(const char* name, ChildBody body) {
  registry()[name] = body;
}

#ifdef _WIN32

ChildOutcome run_child(const char* name, const std::string& arg, int timeout_ms) {
  ChildOutcome outcome;
  wchar_t exe[MAX_PATH];
  DWORD len = GetModuleFileNameW(nullptr, exe, MAX_PATH);
  if (len == 0 || len == MAX_PATH) return outcome;
  // The pieces' names and arguments (temporary paths) hold no quotes.
  std::wstring cmd = L"\"" + std::wstring(exe) + L"\" " + wide(kChildFlag) + L" " +
                     wide(name) + L" \"" + wide(arg) + L"\"";
  STARTUPINFOW si = {};
  si.cb = sizeof si;
  PROCESS_INFORMATION pi = {};
  if (!CreateProcessW(exe, cmd.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr, &si, &pi))
    return outcome;
  CloseHandle(pi.hThread);
  if (WaitForSingleObject(pi.hProcess, static_cast<DWORD>(timeout_ms)) != WAIT_OBJECT_0) {
    outcome.timed_out = true;
    TerminateProcess(pi.hProcess, 1);
    WaitForSingleObject(pi.hProcess, INFINITE);
  }
  DWORD code = 0;
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hProcess);
  if (outcome.timed_out) return outcome;
  outcome.exited = true;
  outcome.status = static_cast<int>(code);
  return outcome;
}

std::string temp_path(const char* stem) {
  wchar_t dir[MAX_PATH];
  DWORD n = GetTempPathW(MAX_PATH, dir);
  std::string base = n > 0 && n < MAX_PATH ? narrow(dir) : std::string(".\\");
  return base + "mproc-test-" + stem + "-" + std::to_string(GetCurrentProcessId());
}

#else

ChildOutcome run_child(const char* name, const std::string& arg, int timeout_ms) {
  std::string flag = kChildFlag, piece = name, value = arg;
  char* argv[] = {program_path().data(), flag.data(), piece.data(), value.data(), nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, program_path().c_str(), nullptr, nullptr, argv, environ) != 0)
    return ChildOutcome{};
  return wait_for_child(pid, timeout_ms);
}

std::string temp_path(const char* stem) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/mproc-test-" + stem + "-" +
         std::to_string(getpid());
}

#endif

}  // namespace mproc::testing

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], mproc::testing::kChildFlag) == 0)
    mproc::testing::run_piece(argv[2], argc > 3 ? argv[3] : "");
#ifndef _WIN32
  // The program starts itself again by this path (Windows asks the OS).
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  mproc::testing::program_path() = n > 0 ? std::string(self, static_cast<size_t>(n)) : argv[0];
#endif
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
