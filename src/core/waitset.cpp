#include "core/waitset.hpp"

#include <mproc/common.h>

#include "platform/error.hpp"
#include "platform/fd.hpp"

namespace mproc::core {
namespace {

bool ready_or_broken(const WaitSet::Member& m) {
  try {
    return m.ready();
  } catch (...) {
    return true;  // the member's own call reports what is wrong
  }
}

}  // namespace

size_t WaitSet::add(Member m) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < members_.size(); ++i) {
    if (!members_[i].ready) {
      members_[i] = std::move(m);
      return i;
    }
  }
  members_.push_back(std::move(m));
  return members_.size() - 1;
}

void WaitSet::remove(size_t slot) {
  std::lock_guard<std::mutex> lock(mu_);
  if (slot >= members_.size() || !members_[slot].ready)
    fail(MPROC_EINVAL, "waitset: slot " + std::to_string(slot) + " is not in use");
  members_[slot] = Member{};
}

int WaitSet::wait(const platform::Deadline& deadline, std::vector<size_t>* ready) {
  std::vector<std::pair<size_t, Member>> members;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < members_.size(); ++i)
      if (members_[i].ready) members.emplace_back(i, members_[i]);
  }
  if (members.empty()) fail(MPROC_EINVAL, "waitset: nothing to wait for");
  std::vector<platform::FdWait> items;
  for (;;) {
    ready->clear();
    for (const auto& m : members)
      if (ready_or_broken(m.second)) ready->push_back(m.first);
    if (!ready->empty()) return 0;
    if (deadline.expired()) return MPROC_ETIMEDOUT;
    items.clear();
    for (size_t i = 0; i < members.size(); ++i) {
      int fd;
      try {
        fd = members[i].second.fd();
      } catch (...) {
        ready->push_back(members[i].first);
        continue;
      }
      items.push_back({fd, platform::IoWant::kRead, false});
    }
    if (!ready->empty()) return 0;
    platform::wait_any(items.data(), items.size(), deadline);
  }
}

}  // namespace mproc::core
