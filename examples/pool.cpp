// A Pool of five running seven tasks, in C++: apply_async futures, then a
// map over plain integers.
#include <mproc/mproc.hpp>

#include <cstdio>
#include <cstring>
#include <thread>

MPROC_POOL_TASK(square) {
  int64_t n = 0;
  if (len != sizeof n) return mproc_result_error(out, MPROC_EINVAL, "want an int64");
  std::memcpy(&n, in, sizeof n);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  n *= n;
  return mproc_result_set(out, &n, sizeof n);
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // before init: children print too
  mproc::init(argc, argv);
  mproc::Pool pool(5);
  std::vector<mproc::Future> futures;
  for (int64_t i = 0; i < 7; ++i) futures.push_back(pool.apply_async("square", mproc::bytes_of(i)));
  for (size_t i = 0; i < futures.size(); ++i)
    std::printf("%zu squared is %lld\n", i, static_cast<long long>(futures[i].get().as<int64_t>()));
  auto squares = pool.map<int64_t>("square", std::vector<int64_t>{7, 8, 9});
  std::printf("map: %lld %lld %lld\n", static_cast<long long>(squares[0]),
              static_cast<long long>(squares[1]), static_cast<long long>(squares[2]));
  pool.close();
  pool.join();
}
