#include "core/pool/mpi/mpi_serve.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/args.hpp"
#include "core/pool/mpi/mpi_plugin_loader.hpp"
#include "core/pool/mpi/mpi_wire.hpp"
#include "core/pool/task_runner.hpp"
#include "core/wire.hpp"
#include "platform/deadline.hpp"
#include "platform/error.hpp"
#include "platform/exec.hpp"

namespace mproc::core {
namespace {

// A rank sends what it has answered so far once a batch has run this long,
// so that the owner hears of slow tasks as they finish, not a batch later.
constexpr int64_t kFlushAfterNs = 2000000;
// A task's reply may be as large as a task message.
constexpr uint64_t kReplyLimit = uint64_t{1} << 30;

class Server {
 public:
  explicit Server(const mproc_mpi_plugin_t& plugin) : plugin_(plugin) {}

  // Serves until the owner is done with this process.
  void run() {
    check(plugin_.serve_open(&serve_, &err_), "MPI worker");
    for (;;) {
      const void* data = nullptr;
      size_t len = 0;
      int rc = plugin_.serve_recv(serve_, &data, &len, &err_);
      if (rc == MPROC_EOF) return;
      check(rc, "MPI worker");
      MpiMsgView msg;
      if (!decode_mpi_msg(std::string_view(static_cast<const char*>(data), len), &msg))
        fail(MPROC_ECORRUPT, "MPI worker: a malformed message from the pool's owner");
      switch (static_cast<MpiMsgKind>(msg.header.kind)) {
        case MpiMsgKind::kBegin:
          begin(msg.body);
          break;
        case MpiMsgKind::kBatch:
          if (initialized_) batch(msg.body);
          break;
        case MpiMsgKind::kStop:
          send(MpiMsgWriter(MpiMsgKind::kBye).take());
          break;
        default:
          fail(MPROC_ECORRUPT, "MPI worker: the owner sent a message only a worker sends");
      }
    }
  }

  void close() noexcept {
    if (serve_ != nullptr) plugin_.serve_close(serve_);
    serve_ = nullptr;
  }

 private:
  void check(int rc, const char* context) {
    if (rc != 0) fail_mpi(rc, err_, context);
  }

  void send(const std::string& msg) {
    check(plugin_.serve_send(serve_, msg.data(), msg.size(), &err_), "MPI worker");
  }

  // A new pool: its initializer runs once, and the owner hears how it went.
  void begin(std::string_view body) {
    std::string_view record;
    if (!take_mpi_record(&body, &record))
      fail(MPROC_ECORRUPT, "MPI worker: a malformed pool start");
    WireReader in(record);
    pool_ = static_cast<uint64_t>(in.i64());
    std::string initializer = in.str();
    std::string_view encoded = in.bytes();
    bool has_args = in.u8() != 0;
    std::shared_ptr<Args> args;
    if (has_args) {
      WireReader a(encoded);
      ReceivedFds none({});
      args = Args::decode(a, none);
    }
    ReplyHeader r{};
    r.kind = static_cast<uint32_t>(ReplyKind::kInitFailed);
    std::string why;
    if (!initializer.empty()) r.code = TaskRunner::initialize(initializer, args, &why);
    initialized_ = r.code == 0;
    r.message_len = static_cast<uint32_t>(why.size());
    MpiMsgWriter ready(MpiMsgKind::kReady);
    std::string_view parts[] = {{reinterpret_cast<const char*>(&r), sizeof r}, why};
    ready.record(parts, 2);
    send(ready.take());
  }

  void batch(std::string_view body) {
    MpiMsgWriter replies(MpiMsgKind::kReplies);
    int64_t since = platform::monotonic_ns();
    std::string_view record;
    while (take_mpi_record(&body, &record)) {
      // terminate: the rest is not wanted (and nothing more is answered).
      if (plugin_.serve_cancelled(serve_, pool_)) return;
      TaskView task;
      if (!decode_task(record, kReplyLimit, &task) ||
          static_cast<TaskKind>(task.header.kind) == TaskKind::kStop)
        fail(MPROC_ECORRUPT, "MPI worker: a malformed task from the pool's owner");
      ReplyHeader r{};
      r.kind = static_cast<uint32_t>(ReplyKind::kResult);
      r.id = task.header.id;
      if (!runner_.run(task, r, &message_, &out_))
        fail(MPROC_ECORRUPT, "MPI worker: a malformed chunk from the pool's owner");
      r.message_len = static_cast<uint32_t>(message_.size());
      std::string_view parts[] = {
          {reinterpret_cast<const char*>(&r), sizeof r}, message_, out_};
      replies.record(parts, 3);
      int64_t now = platform::monotonic_ns();
      if (now - since > kFlushAfterNs && !body.empty()) {
        send(replies.take(static_cast<uint64_t>(now - since)));
        replies = MpiMsgWriter(MpiMsgKind::kReplies);
        since = now;
      }
    }
    if (!body.empty()) fail(MPROC_ECORRUPT, "MPI worker: a malformed batch from the pool's owner");
    if (replies.count() > 0)
      send(replies.take(static_cast<uint64_t>(platform::monotonic_ns() - since)));
  }

  const mproc_mpi_plugin_t& plugin_;
  mproc_mpi_serve_t* serve_ = nullptr;
  mproc_mpi_err_t err_{};
  TaskRunner runner_;
  std::string message_;
  std::string out_;
  uint64_t pool_ = 0;  // the pool being served (its number)
  bool initialized_ = false;
};

}  // namespace

void serve_mpi_and_exit(const mproc_mpi_plugin_t& plugin) {
  int status = 0;
  Server server(plugin);
  try {
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mproc: %s\n", e.what());
    status = 1;
  }
  server.close();
  std::fflush(nullptr);
  std::exit(status);
}

void serve_mpi_if_spawned() {
  const char* marked = std::getenv(MPROC_MPI_WORKER_ENV);
  if (marked == nullptr || marked[0] == '\0') return;
  // Processes the worker's tasks start are not workers.
  platform::unset_environment(MPROC_MPI_WORKER_ENV);
  const mproc_mpi_plugin_t* plugin = nullptr;
  try {
    plugin = &mpi_plugin();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mproc: MPI worker: %s\n", e.what());
    std::exit(1);
  }
  serve_mpi_and_exit(*plugin);
}

}  // namespace mproc::core
