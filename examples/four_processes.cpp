// Four processes started together: the parent prints at once, without
// waiting for them; each child works a moment, then says so.
#include <mproc/mproc.hpp>

#include <cstdio>
#include <thread>

using namespace std::chrono_literals;

MPROC_TASK(piao) {
  mproc::ArgsView a(args);
  std::printf("%s is piaoing\n", std::string(a.str(0)).c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(100 + 50 * a.i64(1)));
  std::printf("%s piao end\n", std::string(a.str(0)).c_str());
  return 0;
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // before init: children print too
  mproc::init(argc, argv);
  std::vector<mproc::Process> ps;
  const char* names[] = {"egon", "alex", "wupeiqi", "yuanhao"};
  for (int i = 0; i < 4; ++i) ps.emplace_back("piao", mproc::Args() << names[i] << i);
  for (auto& p : ps) p.start();
  std::printf("main: all four started\n");
  for (auto& p : ps) p.join();
  std::printf("main: all four done\n");
}
