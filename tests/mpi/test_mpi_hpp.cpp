// The C++ layer (mproc.hpp) on an MPI pool: the same Pool, chosen by one
// option, with apply, apply_async, map and starmap. Run under mpirun (the
// other ranks serve) or alone (the pool spawns its ranks).
#include <mproc/mproc.hpp>

#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <vector>

MPROC_POOL_TASK(hpp_mpi_cube) {
  auto [v] = mproc::unpack<int64_t>(in, len);
  v = v * v * v;
  return mproc_result_set(out, &v, sizeof v);
}

MPROC_POOL_TASK(hpp_mpi_axpb) {
  auto [a, x, b] = mproc::unpack<int64_t, double, int32_t>(in, len);
  double y = static_cast<double>(a) * x + b;
  return mproc_result_set(out, &y, sizeof y);
}

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      std::fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
      return 1;                                                         \
    }                                                                   \
  } while (0)

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  try {
    mproc::Pool pool(mproc::PoolOptions().backend(MPROC_POOL_BACKEND_MPI));
    CHECK(pool.backend() == MPROC_POOL_BACKEND_MPI);
    int64_t three = 3;
    CHECK(pool.apply("hpp_mpi_cube", mproc::bytes_of(three)).as<int64_t>() == 27);
    auto f = pool.apply_async("hpp_mpi_cube", mproc::bytes_of(three));
    CHECK(f.get().as<int64_t>() == 27);
    std::vector<int64_t> in(5000);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int64_t>(i);
    auto cubes = pool.map<int64_t>("hpp_mpi_cube", in);
    for (size_t i = 0; i < in.size(); ++i) CHECK(cubes[i] == in[i] * in[i] * in[i]);
    std::vector<std::tuple<int64_t, double, int32_t>> items;
    for (int i = 0; i < 1000; ++i) items.emplace_back(i, 0.25, i);
    auto ys = pool.starmap<double>("hpp_mpi_axpb", items);
    for (int i = 0; i < 1000; ++i) CHECK(ys[i] == i * 0.25 + i);
    pool.close();
    CHECK(pool.join());
  } catch (const mproc::Error& e) {
    std::fprintf(stderr, "mproc error %d: %s\n", e.code(), e.what());
    return 1;
  }
  std::puts("mproc.hpp on MPI ranks: ok");
  return 0;
}
