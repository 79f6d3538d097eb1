#include "core/launch/executable.hpp"

#include <mutex>
#include <utility>

#include "core/launch/bootstrap.hpp"
#include "core/launch/start.hpp"
#include "platform/exec.hpp"
#include "platform/fork_safe_mutex.hpp"

namespace mproc::core {
namespace {

struct Setting {
  platform::ForkSafeMutex mu;
  SpawnCommand command;  // path empty: this program itself
};

Setting& setting() {
  static auto* s = new Setting;  // read at any exit path: never freed
  return *s;
}

}  // namespace

void set_spawn_command(const std::string& path, std::vector<std::string> argv) {
  SpawnCommand next;
  if (!path.empty()) {
    // Checked before it is kept, so the error comes from the call that set
    // it and names the file (resolution may walk PATH: no lock held).
    next.path = platform::find_program(path);
    next.argv = argv.empty() ? std::vector<std::string>{path} : std::move(argv);
  }
  std::lock_guard<platform::ForkSafeMutex> lock(setting().mu);
  setting().command = std::move(next);
}

SpawnCommand spawn_command() {
  {
    std::lock_guard<platform::ForkSafeMutex> lock(setting().mu);
    if (!setting().command.path.empty()) return setting().command;
  }
  SpawnCommand self;
  self.path = executable_path();
  self.argv = {program_argv0().empty() ? self.path : program_argv0()};
  return self;
}

}  // namespace mproc::core
