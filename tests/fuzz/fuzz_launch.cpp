// The launch request (core/launch/launch.*): what a spawned or forkserver
// child decodes to become itself and run its task, here from fuzzer bytes
// with the fixtures' descriptors (fuzz_common.hpp). A bad request is
// refused with ECORRUPT, ETYPE (a descriptor holding another kind of
// object) or ENOTFOUND (a task this program has not registered). A request
// that decodes must encode again, and decode to one that encodes the same.
#include "core/launch/launch.hpp"
#include "fuzz_common.hpp"

using namespace mproc;
using namespace mproc::fuzz;

namespace {

core::LaunchRequest decode(std::string_view bytes, const std::vector<int>& fds) {
  core::WireReader in(bytes);
  core::ReceivedFds received(received_copies(fds));
  return core::decode_launch(in, received);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  register_fuzz_task();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  core::LaunchRequest req;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!runs_or_refuses([&] { req = decode(bytes, fixtures().fds); },
                               {MPROC_ECORRUPT, MPROC_ETYPE, MPROC_ENOTFOUND}))
    return 0;
  require(req.fn != nullptr && req.task == kTaskName && req.args != nullptr,
          "a request decoded without its task");
  Sent once;
  core::encode_launch(req, once.record, once.fds);
  core::LaunchRequest again = decode(once.record.data(), once.fds);
  Sent twice;
  core::encode_launch(again, twice.record, twice.fds);
  require(once.record.data() == twice.record.data(), "decode and encode disagree");
  return 0;
}
