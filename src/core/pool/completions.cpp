#include "core/pool/completions.hpp"

#include <mproc/common.h>

#include <cstring>

namespace mproc::core {

Future::Callback Completions::sink(uint64_t tag) {
  return [self = shared_from_this(), tag](const std::shared_ptr<Future>& f) {
    int code = f->code();
    std::string bytes = code == 0 ? f->output() : f->message();
    std::lock_guard<std::mutex> lock(self->mu_);
    self->records_.push_back({tag, code, std::move(bytes)});
    self->cv_.notify_all();
  };
}

int Completions::take(char* buf, size_t cap, size_t* used, const platform::Deadline& deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!wait_until(cv_, lock, deadline, [this] { return !records_.empty(); }))
    return MPROC_ETIMEDOUT;
  size_t first = room_for(records_.front().bytes.size());
  if (first > cap) {
    *used = first;
    return MPROC_ETOOBIG;
  }
  size_t at = 0;
  while (!records_.empty() && at + room_for(records_.front().bytes.size()) <= cap) {
    const Record& r = records_.front();
    CompletionHeader h{r.tag, r.code, 0, r.bytes.size()};
    std::memcpy(buf + at, &h, sizeof h);
    if (!r.bytes.empty()) std::memcpy(buf + at + sizeof h, r.bytes.data(), r.bytes.size());
    size_t room = room_for(r.bytes.size());
    // The padding is zeroed: nothing of an earlier take shows through.
    std::memset(buf + at + sizeof h + r.bytes.size(), 0, room - sizeof h - r.bytes.size());
    at += room;
    records_.pop_front();
  }
  *used = at;
  return 0;
}

}  // namespace mproc::core
