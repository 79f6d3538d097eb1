// Task arguments (core/args.*, over core/wire.hpp's reader): the list a
// child decodes from its launch request, here from fuzzer bytes, with the
// fixtures' descriptors (fuzz_common.hpp) standing for the ones received.
// A bad record is refused with ECORRUPT, or ETYPE when a descriptor holds
// another kind of object. A list that decodes must encode again, and that
// encoding must decode to one that encodes the same (nothing is read that
// the writer would not write back).
#include <mproc/args.h>

#include "core/args.hpp"
#include "fuzz_common.hpp"

using namespace mproc;
using namespace mproc::fuzz;

namespace {

std::shared_ptr<core::Args> decode(std::string_view bytes, const std::vector<int>& fds) {
  core::WireReader in(bytes);
  core::ReceivedFds received(received_copies(fds));
  return core::Args::decode(in, received);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<core::Args> args;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!runs_or_refuses([&] { args = decode(bytes, fixtures().fds); },
                               {MPROC_ECORRUPT, MPROC_ETYPE}))
    return 0;
  for (size_t i = 0; i < args->size(); ++i) {
    const core::Arg& a = args->at(i);
    switch (a.type) {
      case MPROC_ARG_BYTES:
      case MPROC_ARG_STR:
      case MPROC_ARG_I64:
      case MPROC_ARG_F64:
        break;
      case MPROC_ARG_FD:
        require(a.fd && *a.fd, "a descriptor argument without a descriptor");
        break;
      default:
        require(a.object && a.object->arg_type() == a.type, "an object of the wrong type");
    }
  }
  Sent once;
  args->encode(once.record, once.fds);
  std::shared_ptr<core::Args> again = decode(once.record.data(), once.fds);
  Sent twice;
  again->encode(twice.record, twice.fds);
  require(once.record.data() == twice.record.data(), "decode and encode disagree");
  return 0;
}
