// The Boost.Process baseline of mproc's command row: start a program with
// boost::process::child and wait for it, what a C++ programmer reaches for
// instead of mproc_command_t. Kept apart from boost_ipc.cpp because
// Boost.Process needs the compiled Boost.Filesystem library.
//
//   boost-process-bench <program>   ms per start + wait of <program>
#include <cstdio>
#include <exception>

#include <boost/process/child.hpp>

#include "bench_util.h"

namespace bp = boost::process;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: boost-process-bench <program>\n");
    return 2;
  }
  constexpr int kWarm = 5, kRounds = 200;  // as bench_process.cpp's command_run
  try {
    double t0 = 0;
    for (int i = 0; i < kWarm + kRounds; ++i) {
      if (i == kWarm) t0 = bench_now_s();
      bp::child child(argv[1]);
      child.wait();
      if (child.exit_code() != 0) return 1;
    }
    std::printf("%.6g\n", (bench_now_s() - t0) / kRounds * 1e3);
  } catch (const std::exception& err) {
    std::fprintf(stderr, "boost-process-bench: %s\n", err.what());
    return 1;
  }
  return 0;
}
