// The pid and name of each child, as the parent and the children see them.
#include <mproc/mproc.hpp>

#include <cstdio>

MPROC_TASK(whoami) {
  std::printf("child says: I am %s, pid %lld\n", mproc::current_process_name().c_str(),
              static_cast<long long>(mproc::getpid()));
  return 0;
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // before init: children print too
  mproc::init(argc, argv);
  mproc::Process first("whoami");
  mproc::Process second("whoami");
  mproc::Process named("whoami", mproc::Args(), mproc::ProcessOptions().name("mark1"));
  for (auto* p : {&first, &second, &named}) p->start();
  for (auto* p : {&first, &second, &named}) {
    std::printf("parent says: %s has pid %lld\n", p->name().c_str(),
                static_cast<long long>(p->pid()));
    p->join();
  }
}
