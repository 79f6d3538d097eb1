// A descriptor that is readable while a queue holds a message (or is
// closed), for mproc_queue_fileno and wait sets: a queue lives in shared
// memory and has no descriptor of its own, so a helper thread waits on the
// queue's own wake-ups (as a getter for puts, as a putter for gets) and
// keeps a Notifier in step. Producers pay nothing while nobody watches;
// while a process watches, each put wakes every sleeping getter instead of
// one (the watcher must hear of every put), and each get wakes the watcher.
#pragma once

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "platform/net.hpp"

namespace mproc::core {

class Queue;

class QueueWatch {
 public:
  explicit QueueWatch(Queue& q);  // starts the thread; throws
  ~QueueWatch();                  // stops it
  QueueWatch(const QueueWatch&) = delete;
  QueueWatch& operator=(const QueueWatch&) = delete;

  int fd() const noexcept { return ready_.fd(); }
  // False in a fork child of the process that made it: its thread is not
  // there (a fork copies only the forking thread).
  bool here() const noexcept;

 private:
  void run() noexcept;

  Queue& q_;
  platform::Notifier ready_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;  // for a closed queue: only stop_ can change
  std::thread thread_;
  uint64_t generation_;
};

}  // namespace mproc::core
