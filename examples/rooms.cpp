// Semaphore(2): five people, a room with two places. Each says when it
// enters and leaves; there are never more than two inside.
#include <mproc/mproc.hpp>

#include <cstdio>
#include <mutex>
#include <thread>

MPROC_TASK(visit) {
  mproc::ArgsView a(args);
  mproc::Semaphore room = a.sem(0);
  int64_t who = a.i64(1);
  std::lock_guard<mproc::Semaphore> place(room);  // waits for a free place
  std::printf("%lld enters\n", static_cast<long long>(who));
  std::this_thread::sleep_for(std::chrono::milliseconds(50 + 30 * (who % 3)));
  std::printf("%lld leaves\n", static_cast<long long>(who));
  return 0;
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // before init: children print too
  mproc::init(argc, argv);
  mproc::Semaphore room(2);
  std::vector<mproc::Process> people;
  for (int i = 0; i < 5; ++i) people.emplace_back("visit", mproc::Args() << room << i);
  for (auto& p : people) p.start();
  for (auto& p : people) p.join();
}
