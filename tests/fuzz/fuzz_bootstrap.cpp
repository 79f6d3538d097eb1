// The bootstrap channel (core/launch/bootstrap.*, over the record framing
// of platform/fdpass.hpp): what a spawned child reads from its parent (the
// launch request) and what a parent reads from its child (the hello and the
// acknowledgement), here the bytes of a peer that wrote the fuzzer's input
// and closed its end. The first byte picks the reader; no descriptors
// travel (a record that claims some is refused).
// A bad record is refused with ECORRUPT (ENOTFOUND for an unknown task,
// EBOOTSTRAP for an ack that never came); an ack that decodes carries 0 or
// an error code (negative), never anything else.
#include "core/launch/bootstrap.hpp"
#include "core/launch/launch.hpp"
#include "fuzz_common.hpp"
#include "platform/pipes.hpp"

using namespace mproc;
using namespace mproc::fuzz;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  register_fuzz_task();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int reader = data[0] % 3;
  platform::UniqueFd ours, peer;
  platform::make_socket_pair(&ours, &peer);
  // Far less than a socket buffer (libFuzzer's -max_len): never blocks.
  if (!platform::write_all(peer.get(), data + 1, size - 1, platform::Deadline::after_ms(5000)))
    finding("the socket pair did not take the input");
  peer.reset();
  // Everything is there already: no read waits.
  const auto deadline = platform::Deadline::after_ms(5000);
  switch (reader) {
    case 0: {
      core::LaunchRequest req;
      bool got = false;
      if (runs_or_refuses([&] { got = core::recv_launch(ours.get(), req, deadline); },
                                  {MPROC_ECORRUPT, MPROC_ENOTFOUND}) &&
          got)
        require(req.fn != nullptr && req.task == kTaskName, "a request without its task");
      break;
    }
    case 1: {
      std::string message;
      int code = 0;
      if (runs_or_refuses([&] { code = core::recv_ack(ours.get(), message, deadline); },
                                  {MPROC_ECORRUPT, MPROC_EBOOTSTRAP}))
        require(code <= 0, "an ack whose code is not 0 or an error code");
      break;
    }
    default:
      runs_or_refuses([&] { core::recv_hello(ours.get(), deadline); },
                              {MPROC_ECORRUPT});
  }
  return 0;
}
