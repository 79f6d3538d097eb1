// Counting what this process holds (soak_proc.hpp), from /proc. mproc's
// shared objects are memfds named "mproc" (src/platform/linux/shm.cpp),
// or files in /dev/shm for named ones: seen in /proc/self/maps while
// mapped and in /proc/self/fd while held open. (Not the whole of /dev/shm:
// other programs' entries come and go there.)
#include "soak_proc.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace soak {
namespace {

// The entries of a directory, less "." and "..".
std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      names.emplace_back(e->d_name);
  }
  closedir(d);
  return names;
}

bool is_shared_object(const std::string& path) {
  return path.rfind("/memfd:mproc", 0) == 0 || path.rfind("/dev/shm/", 0) == 0;
}

// Inodes of the shared objects mapped into this process.
void mapped_objects(std::set<std::pair<dev_t, ino_t>>& objects) {
  FILE* f = std::fopen("/proc/self/maps", "r");
  if (f == nullptr) return;
  char line[4096];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned major = 0, minor = 0;
    unsigned long long inode = 0;
    int path_at = 0;
    // address perms offset major:minor inode path
    if (std::sscanf(line, "%*s %*s %*s %x:%x %llu %n", &major, &minor, &inode, &path_at) < 3 ||
        path_at == 0)
      continue;
    std::string path(line + path_at);
    if (is_shared_object(path)) objects.insert({makedev(major, minor), static_cast<ino_t>(inode)});
  }
  std::fclose(f);
}

struct Stat {
  char state = '?';
  long ppid = 0;
};

// State and parent of every process, from /proc/<pid>/stat.
std::map<long, Stat> all_processes() {
  std::map<long, Stat> out;
  for (const auto& name : entries("/proc")) {
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    FILE* f = std::fopen(("/proc/" + name + "/stat").c_str(), "r");
    if (f == nullptr) continue;  // gone meanwhile
    char buf[1024];
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // The command name may hold spaces and parentheses: read after the last ')'.
    const char* close = std::strrchr(buf, ')');
    Stat s;
    if (close != nullptr && std::sscanf(close + 1, " %c %ld", &s.state, &s.ppid) == 2)
      out[std::stol(name)] = s;
  }
  return out;
}

}  // namespace

Holdings holdings() {
  Holdings h;
  std::set<std::pair<dev_t, ino_t>> objects;
  // The listing's own descriptor is among the entries: one less.
  auto fds = entries("/proc/self/fd");
  h.fds = static_cast<int64_t>(fds.size()) - 1;
  for (const auto& fd : fds) {
    std::string link = "/proc/self/fd/" + fd;
    char target[256];
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    struct stat st;
    if (is_shared_object(target) && stat(link.c_str(), &st) == 0) objects.insert({st.st_dev, st.st_ino});
  }
  mapped_objects(objects);
  h.shm_objects = static_cast<int64_t>(objects.size());

  auto procs = all_processes();
  std::vector<long> todo{static_cast<long>(getpid())};
  while (!todo.empty()) {
    long parent = todo.back();
    todo.pop_back();
    for (const auto& [pid, st] : procs) {
      if (st.ppid != parent) continue;
      todo.push_back(pid);
      if (st.state == 'Z') {
        ++h.zombies;
      } else {
        ++h.descendants;
        h.descendant_fds += static_cast<int64_t>(entries("/proc/" + std::to_string(pid) + "/fd").size());
      }
    }
  }
  return h;
}

}  // namespace soak
