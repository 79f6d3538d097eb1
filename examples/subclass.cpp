// Python's subclassing style: a process is a class whose run() is the
// child's work. ArgsView rebuilds the object in a spawned child.
#include <mproc/mproc.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

class MyProcess : public mproc::ProcessClass<MyProcess> {
 public:
  explicit MyProcess(int64_t interval_ms) : interval_ms_(interval_ms) {}
  explicit MyProcess(const mproc::ArgsView& a) : interval_ms_(a.i64(0)) {}
  mproc::Args args() const { return std::move(mproc::Args() << interval_ms_); }

  int run() override {
    auto t0 = std::chrono::steady_clock::now();
    std::printf("child %lld running, parent %lld\n", static_cast<long long>(mproc::getpid()),
                static_cast<long long>(mproc::parent_pid()));
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms_));
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
    std::printf("child done after %.2f s\n", took.count());
    return 0;
  }

 private:
  int64_t interval_ms_;
};
MPROC_PROCESS_CLASS(MyProcess);

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // before init: children print too
  mproc::init(argc, argv);
  auto t0 = std::chrono::steady_clock::now();
  std::printf("parent %lld starts\n", static_cast<long long>(mproc::getpid()));
  MyProcess p(200);
  p.start();
  p.join();
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
  std::printf("parent done after %.2f s, child exit code %d\n", took.count(), *p.exitcode());
}
