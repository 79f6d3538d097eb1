#include "security.hpp"

#include <mproc/common.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "platform/error.hpp"
#include "win32_error.hpp"

// RtlGenRandom: in advapi32 (exported as SystemFunction036), available
// since XP and in Wine, needs neither bcrypt nor a provider handle.
extern "C" BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

namespace mproc::platform {
namespace {

// Everything the attributes point into, kept for the life of the process.
struct OwnerOnly {
  std::vector<unsigned char> user;  // TOKEN_USER with its SID
  std::vector<unsigned char> acl;
  SECURITY_DESCRIPTOR descriptor;
  SECURITY_ATTRIBUTES attributes;
};

std::unique_ptr<OwnerOnly> build() {
  auto o = std::make_unique<OwnerOnly>();
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
    fail_win32("cannot read this process's token");
  DWORD len = 0;
  GetTokenInformation(token, TokenUser, nullptr, 0, &len);
  o->user.resize(len ? len : 1);
  BOOL ok = GetTokenInformation(token, TokenUser, o->user.data(), len, &len);
  DWORD err = GetLastError();
  CloseHandle(token);
  if (!ok) fail_win32("cannot read this process's user", err);
  PSID sid = reinterpret_cast<TOKEN_USER*>(o->user.data())->User.Sid;

  DWORD acl_len = sizeof(ACL) + sizeof(ACCESS_ALLOWED_ACE) + GetLengthSid(sid);
  o->acl.resize(acl_len);
  ACL* acl = reinterpret_cast<ACL*>(o->acl.data());
  if (!InitializeAcl(acl, acl_len, ACL_REVISION) ||
      !AddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, sid) ||
      !InitializeSecurityDescriptor(&o->descriptor, SECURITY_DESCRIPTOR_REVISION) ||
      // Present and protected: nothing is inherited from the namespace's
      // default DACL (which would let administrators and SYSTEM in too).
      !SetSecurityDescriptorDacl(&o->descriptor, TRUE, acl, FALSE) ||
      !SetSecurityDescriptorControl(&o->descriptor, SE_DACL_PROTECTED, SE_DACL_PROTECTED))
    fail_win32("cannot build an owner-only security descriptor");
  o->attributes.nLength = sizeof o->attributes;
  o->attributes.lpSecurityDescriptor = &o->descriptor;
  o->attributes.bInheritHandle = FALSE;
  return o;
}

}  // namespace

SECURITY_ATTRIBUTES* owner_only_attributes() {
  // Not a function-local static: a failed build must be retried, not
  // remembered, and must throw to the caller.
  static std::mutex mutex;
  static std::unique_ptr<OwnerOnly> built;
  std::lock_guard<std::mutex> guard(mutex);
  if (!built) built = build();
  return &built->attributes;
}

std::wstring widen(const std::string& utf8) {
  if (utf8.empty()) return std::wstring();
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(),
                              static_cast<int>(utf8.size()), nullptr, 0);
  if (n <= 0) fail(MPROC_EINVAL, "'" + utf8 + "' is not valid UTF-8");
  std::wstring wide(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), static_cast<int>(utf8.size()),
                      &wide[0], n);
  return wide;
}

std::wstring utf8_to_wide(const std::string& s, const char* what) {
  if (s.find('\0') != std::string::npos)
    fail(MPROC_EINVAL, std::string(what) + " contains a NUL character");
  if (s.size() > INT32_MAX) fail(MPROC_ENAMETOOLONG, std::string(what) + " is too long");
  if (s.empty()) return std::wstring();
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s.data(), static_cast<int>(s.size()),
                              nullptr, 0);
  if (n <= 0) fail(MPROC_EINVAL, std::string(what) + " is not valid UTF-8");
  std::wstring wide(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s.data(), static_cast<int>(s.size()),
                      &wide[0], n);
  return wide;
}

std::string wide_to_utf8(const std::wstring& s) {
  if (s.empty()) return std::string();
  int n = WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0,
                              nullptr, nullptr);
  std::string out(static_cast<size_t>(n > 0 ? n : 0), '\0');
  if (n > 0)
    WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), &out[0], n, nullptr,
                        nullptr);
  return out;
}

std::wstring local_object_name(const std::string& name) { return L"Local\\" + widen(name); }

void random_bytes(void* out, size_t len) {
  if (!SystemFunction036(out, static_cast<ULONG>(len)))
    fail_win32("the system random generator failed");
}

}  // namespace mproc::platform
