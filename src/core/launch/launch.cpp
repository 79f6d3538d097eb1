#include "core/launch/launch.hpp"

#include <cstdio>
#include <cstdlib>

#include "core/authkey.hpp"
#include "core/identity.hpp"
#include "core/launch/children.hpp"
#include "platform/lifeline.hpp"
#include "platform/process.hpp"
#include "platform/signals.hpp"

namespace mproc::core {
namespace {

constexpr uint32_t kLaunchMagic = 0x6c61756e;  // "laun"
// 2: the authkey follows os_parent.
constexpr uint32_t kLaunchVersion = 2;

}  // namespace

void encode_launch(const LaunchRequest& req, WireWriter& out, std::vector<int>& fds) {
  out.u32(kLaunchMagic);
  out.u32(kLaunchVersion);
  out.str(req.task);
  out.str(req.name);
  out.u32(static_cast<uint32_t>(req.lineage.size()));
  for (int64_t id : req.lineage) out.i64(id);
  out.u8(req.daemon ? 1 : 0);
  out.u8(req.new_group ? 1 : 0);
  out.i64(req.parent_pid);
  out.i64(req.os_parent);
  out.str(req.authkey);
  if (req.args) {
    req.args->encode(out, fds);
  } else {
    Args().encode(out, fds);
  }
}

LaunchRequest decode_launch(WireReader& in, ReceivedFds& fds) {
  if (in.u32() != kLaunchMagic) fail(MPROC_ECORRUPT, "launch request: bad magic");
  if (in.u32() != kLaunchVersion)
    fail(MPROC_ECORRUPT, "launch request: from another version of mproc");
  LaunchRequest req;
  req.task = in.str();
  req.name = in.str();
  uint32_t depth = in.u32();
  if (depth > 1024) fail(MPROC_ECORRUPT, "launch request: absurd lineage");
  for (uint32_t i = 0; i < depth; ++i) req.lineage.push_back(in.i64());
  req.daemon = in.u8() != 0;
  req.new_group = in.u8() != 0;
  req.parent_pid = in.i64();
  req.os_parent = in.i64();
  req.authkey = in.str();
  if (req.authkey.size() > kAuthkeyMax) fail(MPROC_ECORRUPT, "launch request: absurd authkey");
  req.args = Args::decode(in, fds);
  if (!in.done()) fail(MPROC_ECORRUPT, "launch request: trailing bytes");
  req.fn = find_task(req.task);
  if (req.fn == nullptr)
    fail(MPROC_ENOTFOUND, "task '" + req.task +
                              "' is not registered in the child (register it "
                              "before main() runs, e.g. with MPROC_TASK)");
  return req;
}

void run_child(const LaunchRequest& req, ExitStyle style) {
  become_child(req.name, req.lineage, req.daemon, req.parent_pid);
  if (!req.authkey.empty()) set_current_authkey(req.authkey);
  if (req.new_group) platform::make_group_leader(0);  // the parent does it too: no race
  if (req.daemon && !platform::die_with_parent(platform::kSignalKill, req.os_parent))
    platform::exit_immediately(1);  // the parent is already gone
  int rc = invoke_task(req.fn, req.args);
  Children::run_process_exit();
  std::fflush(nullptr);
  if (style == ExitStyle::kImmediate) platform::exit_immediately(rc & 0xff);
  std::exit(rc & 0xff);
}

}  // namespace mproc::core
