// A daemon process ends with its parent: it would tick for ever, but the
// program exits after a moment and takes it along. Run with "killed" as an
// argument, the parent is SIGKILLed instead of exiting, and the daemon
// still dies with it.
#include <mproc/mproc.hpp>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>
#ifdef _WIN32
#include <windows.h>
#endif

using namespace std::chrono_literals;

MPROC_TASK(tick) {
  for (int i = 0;; ++i) {
    std::printf("daemon tick %d\n", i);
    std::this_thread::sleep_for(20ms);
  }
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // before init: children print too
  mproc::init(argc, argv);
  mproc::Process d("tick", mproc::Args(), mproc::ProcessOptions().daemon());
  d.start();
  std::printf("daemon pid %lld\n", static_cast<long long>(d.pid()));
  std::this_thread::sleep_for(100ms);
  std::printf("main: exiting\n");
  if (argc > 1 && std::strcmp(argv[1], "killed") == 0) {
#ifdef _WIN32
    // What mproc's kill does (read back as -9): Windows has no SIGKILL.
    std::fflush(stdout);
    TerminateProcess(GetCurrentProcess(), 0x10000 + 9);
#else
    std::raise(SIGKILL);
#endif
  }
  return 0;  // the daemon is terminated on the way out
}
