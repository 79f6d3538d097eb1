#include "core/pool/jobs.hpp"

#include <mproc/common.h>

#include <cstring>

namespace mproc::core {

Future::Callback Future::complete(int code, std::string message, std::string output) {
  std::lock_guard<std::mutex> lock(mu_);
  if (done_) return {};
  done_ = true;
  code_ = code;
  message_ = std::move(message);
  output_ = std::move(output);
  cv_.notify_all();
  return std::move(callback_);
}

int Future::wait(const platform::Deadline& deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return wait_until(cv_, lock, deadline, [this] { return done_; }) ? 0 : MPROC_ETIMEDOUT;
}

bool Future::done() {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

int Future::code() {
  std::lock_guard<std::mutex> lock(mu_);
  return code_;
}

const std::string& Future::message() {
  std::lock_guard<std::mutex> lock(mu_);
  return message_;
}

const std::string& Future::output() {
  std::lock_guard<std::mutex> lock(mu_);
  return output_;
}

void MapJob::complete_chunk(uint64_t first, const char* outputs, size_t bytes, int code,
                            uint64_t failed_index, const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (abandoned_) return;
  if (bytes > 0) std::memcpy(outputs_ + first * out_size_, outputs, bytes);
  if (code != 0 && (code_ == 0 || first + failed_index < failed_)) {
    code_ = code;
    failed_ = first + failed_index;
    message_ = message;
  }
  if (remaining_ > 0 && --remaining_ == 0) cv_.notify_all();
}

int MapJob::wait(const platform::Deadline& deadline, uint64_t* failed, std::string* message) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!wait_until(cv_, lock, deadline, [this] { return remaining_ == 0; })) {
    abandoned_ = true;
    return MPROC_ETIMEDOUT;
  }
  *failed = failed_;
  *message = message_;
  return code_;
}

void ImapJob::complete_item(uint64_t index, int code, std::string bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index >= results_.size() || results_[index]) return;
  results_[index] = Item{code, std::move(bytes)};
  if (!ordered_) ready_.push_back(index);
  cv_.notify_all();
}

int ImapJob::next(const platform::Deadline& deadline, size_t* index, std::string* bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  if (delivered_ == results_.size()) return MPROC_EOF;
  auto available = [this] {
    return ordered_ ? results_[next_].has_value() : !ready_.empty();
  };
  if (!wait_until(cv_, lock, deadline, available)) return MPROC_ETIMEDOUT;
  size_t i;
  if (ordered_) {
    i = next_++;
  } else {
    i = ready_.front();
    ready_.pop_front();
  }
  ++delivered_;
  Item item = std::move(*results_[i]);
  results_[i]->bytes.clear();
  *index = i;
  *bytes = std::move(item.bytes);
  return item.code;
}

}  // namespace mproc::core
