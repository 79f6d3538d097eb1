// What CreateProcessW needs as text: the command line that parses back into
// the caller's argv, the sorted environment block, and the program found on
// PATH the way cmd.exe finds it.
#include <algorithm>

#include "platform/error.hpp"
#include "winproc.hpp"

namespace mproc::platform::winproc {
namespace {

// CreateProcess's limit on lpCommandLine, its NUL included.
constexpr size_t kMaxCommandLine = 32767;

// One argument after the first, escaped so that both CommandLineToArgvW and
// the C runtime's parser give it back: backslashes are literal unless they
// precede a quote, so only those runs (and a run at the end, which precedes
// the closing quote) are doubled.
void append_argument(std::wstring& line, const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
    line += arg;
    return;
  }
  line += L'"';
  size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    if (c == L'"') {
      line.append(backslashes * 2 + 1, L'\\');
    } else {
      line.append(backslashes, L'\\');
    }
    backslashes = 0;
    line += c;
  }
  line.append(backslashes * 2, L'\\');
  line += L'"';
}

// The program name is parsed by a simpler rule: up to the next quote when
// it starts with one, else up to white space; no escapes at all.
void append_program_name(std::wstring& line, const std::wstring& arg) {
  if (arg.find(L'"') != std::wstring::npos)
    fail(MPROC_EINVAL, "argv[0] can not contain '\"' on Windows (the program name has no "
                       "escapes in a command line)");
  bool quote = arg.empty() || arg.find_first_of(L" \t") != std::wstring::npos;
  if (quote) line += L'"';
  line += arg;
  if (quote) line += L'"';
}

size_t name_length(const std::wstring& entry) {
  // Names may start with '=' (cmd's hidden per-drive directories, "=C:"),
  // so the separator is looked for from the second character on.
  return entry.size() < 2 ? std::wstring::npos : entry.find(L'=', 1);
}

bool is_file(const std::wstring& path) {
  DWORD attrs = ::GetFileAttributesW(path.c_str());
  return attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

std::vector<std::wstring> split_list(const std::wstring& list) {
  std::vector<std::wstring> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(L';', start);
    if (end == std::wstring::npos) end = list.size();
    std::wstring item = list.substr(start, end - start);
    // PATH entries may be quoted ("C:\Program Files\x"); the quotes are not
    // part of the name.
    item.erase(std::remove(item.begin(), item.end(), L'"'), item.end());
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

bool has_extension(const std::wstring& path) {
  size_t last_sep = path.find_last_of(L"\\/:");
  size_t dot = path.find_last_of(L'.');
  return dot != std::wstring::npos && (last_sep == std::wstring::npos || dot > last_sep);
}

// `base` as it is (when it has an extension) or with one of `exts`.
bool find_with_extensions(const std::wstring& base, const std::vector<std::wstring>& exts,
                          std::wstring* found) {
  if (has_extension(base) && is_file(base)) {
    *found = base;
    return true;
  }
  for (const auto& ext : exts) {
    if (is_file(base + ext)) {
      *found = base + ext;
      return true;
    }
  }
  return false;
}

}  // namespace

std::wstring build_command_line(const std::vector<std::string>& argv) {
  if (argv.empty()) fail(MPROC_EINVAL, "command line: empty argv");
  std::wstring line;
  append_program_name(line, utf8_to_wide(argv[0], "argv[0]"));
  for (size_t i = 1; i < argv.size(); ++i) {
    line += L' ';
    append_argument(line, utf8_to_wide(argv[i], "an argument"));
  }
  if (line.size() >= kMaxCommandLine)
    fail(MPROC_E2BIG, "command line of " + std::to_string(line.size()) +
                          " characters exceeds Windows' limit of 32766");
  return line;
}

std::wstring build_environment_block(const std::vector<std::string>& env) {
  std::vector<std::wstring> entries;
  entries.reserve(env.size());
  for (const auto& e : env) {
    std::wstring w = utf8_to_wide(e, "an environment entry");
    if (name_length(w) == std::wstring::npos)
      fail(MPROC_EINVAL, "environment entry '" + e + "' is not NAME=value");
    entries.push_back(std::move(w));
  }
  // Windows wants the block sorted by name, compared as upper case
  // ordinals; names differing only in case are one variable.
  auto compare = [](const std::wstring& a, const std::wstring& b) {
    return ::CompareStringOrdinal(a.data(), static_cast<int>(name_length(a)), b.data(),
                                  static_cast<int>(name_length(b)), TRUE);
  };
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const auto& a, const auto& b) { return compare(a, b) == CSTR_LESS_THAN; });
  std::wstring block;
  for (size_t i = 0; i < entries.size(); ++i) {
    // Of several entries with one name the last given wins, as when
    // setting them one after another.
    if (i + 1 < entries.size() && compare(entries[i], entries[i + 1]) == CSTR_EQUAL) continue;
    block += entries[i];
    block += L'\0';
  }
  // An empty block still needs its two terminating NULs.
  if (block.empty()) block += L'\0';
  block += L'\0';
  return block;
}

std::string resolve_program(const std::string& name, const std::string& path_var,
                            const std::string& pathext_var) {
  if (name.empty()) fail(MPROC_ENOENT, "command '' not found");
  std::wstring wname = utf8_to_wide(name, "the program name");
  std::vector<std::wstring> exts =
      split_list(pathext_var.empty() ? std::wstring(L".COM;.EXE;.BAT;.CMD")
                                     : utf8_to_wide(pathext_var, "PATHEXT"));
  std::wstring found;
  bool has_dir = wname.find_first_of(L"\\/") != std::wstring::npos ||
                 (wname.size() >= 2 && wname[1] == L':');
  if (has_dir) {
    if (is_file(wname)) return name;
    if (!has_extension(wname) && find_with_extensions(wname, exts, &found))
      return wide_to_utf8(found);
    fail(MPROC_ENOENT, "command '" + name + "' not found");
  }
  for (const auto& dir : split_list(utf8_to_wide(path_var, "PATH"))) {
    std::wstring base = dir;
    if (base.back() != L'\\' && base.back() != L'/') base += L'\\';
    base += wname;
    if (find_with_extensions(base, exts, &found)) return wide_to_utf8(found);
  }
  fail(MPROC_ENOENT, "command '" + name + "' not found in PATH");
}

}  // namespace mproc::platform::winproc
