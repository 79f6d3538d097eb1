// A process-wide registry of functions by name, filled from static
// initialisers of any library in any order (the task registry,
// core/tasks.hpp).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "platform/error.hpp"
#include "platform/fork_safe_mutex.hpp"

namespace mproc::core {

template <class Fn>
class NameRegistry {
 public:
  // Throws EEXIST when `name` is registered to another function;
  // registering the same pair again is harmless. `what` names the kind of
  // function in the message.
  void add(const std::string& name, Fn fn, const char* what) {
    std::lock_guard<platform::ForkSafeMutex> lock(mu_);
    auto [it, inserted] = by_name_.emplace(name, fn);
    if (!inserted && it->second != fn)
      fail(MPROC_EEXIST, std::string(what) + " '" + name +
                             "' is already registered to another function");
  }
  // Fn{} (a null function) when nothing has that name.
  Fn find(const std::string& name) {
    std::lock_guard<platform::ForkSafeMutex> lock(mu_);
    auto it = by_name_.find(name);
    return it == by_name_.end() ? Fn{} : it->second;
  }
  // The name `fn` is registered under, or "".
  std::string name_of(Fn fn) {
    std::lock_guard<platform::ForkSafeMutex> lock(mu_);
    for (const auto& [name, f] : by_name_)
      if (f == fn) return name;
    return {};
  }

 private:
  // Children forked while another thread registers must still look up.
  platform::ForkSafeMutex mu_;
  std::unordered_map<std::string, Fn> by_name_;
};

}  // namespace mproc::core
