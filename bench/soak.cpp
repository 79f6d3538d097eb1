// mproc-soak: proof at scale that what the library promises under faults
// holds many times over (issue 13). Each part prints one JSON line of
// figures on stdout and a summary on stderr; the program exits 1 if any
// must-be-zero figure is not zero, a recovery is missing or something did
// not finish within the bound.
//
//   mproc-soak [queue] [locks] [pool] [cycles] [waits]   (default: all)
//              [--scale X] [--seed N] [--bound-ms N]
//
// --scale multiplies every count (1: the full run of bench/run.py -k soak,
// 0.05: the short run of the test suite).
#include <mproc/mproc.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "soak.hpp"

namespace {

struct Part {
  const char* name;
  soak::Report (*run)(const soak::Settings&);
};

const Part kParts[] = {
    {"queue", soak::queue_kills},  {"locks", soak::lock_kills},    {"pool", soak::pool_kills},
    {"cycles", soak::start_cycles}, {"waits", soak::timed_waits},
};

int usage() {
  std::fprintf(stderr,
               "usage: mproc-soak [queue|locks|pool|cycles|waits]... [--scale X] [--seed N] "
               "[--bound-ms N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (mproc_main(argc, argv) != 0) return 2;
  soak::Settings s;
  s.seed = static_cast<uint64_t>(soak::now_ns()) ^ static_cast<uint64_t>(mproc_getpid());
  std::vector<const Part*> chosen;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--scale" && has_value) {
      s.scale = std::strtod(argv[++i], nullptr);
    } else if (arg == "--seed" && has_value) {
      s.seed = std::strtoull(argv[++i], nullptr, 0);
    } else if (arg == "--bound-ms" && has_value) {
      s.bound_ms = std::strtoll(argv[++i], nullptr, 0);
    } else {
      const Part* found = nullptr;
      for (const auto& p : kParts)
        if (arg == p.name) found = &p;
      if (found == nullptr) return usage();
      chosen.push_back(found);
    }
  }
  if (!(s.scale > 0) || s.bound_ms <= 0) return usage();
  if (chosen.empty())
    for (const auto& p : kParts) chosen.push_back(&p);
  std::fprintf(stderr, "mproc-soak: scale %g, seed %llu, bound %lld ms\n", s.scale,
               static_cast<unsigned long long>(s.seed), static_cast<long long>(s.bound_ms));
  bool ok = true;
  for (const Part* p : chosen) {
    try {
      soak::Report r = p->run(s);
      r.print();
      ok = ok && r.ok();
    } catch (const mproc::Error& e) {
      std::fprintf(stderr, "mproc-soak %s: %s (%s)\n", p->name, e.what(), e.name());
      ok = false;
    }
  }
  return ok ? 0 : 1;
}
