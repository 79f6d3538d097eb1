// runtime_call: the cost of handing a job to the reactor thread and waiting
// for it, the hop every libuv operation of mproc pays.
#include "bench_util.h"
#include "bench_workloads.hpp"
#include "core/runtime.hpp"

namespace {

int runtime_call(int, char**) {
  auto& rt = mproc::core::Runtime::get();
  constexpr int kWarmup = 2000;
  constexpr int kCalls = 20000;
  long sink = 0;
  for (int i = 0; i < kWarmup; ++i) rt.call([&](uv_loop_t*) { ++sink; });
  double t0 = bench_now_s();
  for (int i = 0; i < kCalls; ++i) rt.call([&](uv_loop_t*) { ++sink; });
  double elapsed = bench_now_s() - t0;
  bench::report(elapsed / kCalls * 1e6);
  return sink == kWarmup + kCalls ? 0 : 1;
}

bench::Registration reg("runtime_call", runtime_call);

}  // namespace
