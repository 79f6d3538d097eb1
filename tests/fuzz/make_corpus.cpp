// Writes the seed corpus of every fuzz target: small inputs that reach
// each decoder's main paths, made with the library's own encoders (so they
// follow the formats) or, for the script-driven targets, spelled in the
// order FuzzedDataProvider reads them. Run by hand when a format changes:
//   build-fuzz/tests/fuzz/fuzz-make-corpus tests/fuzz/corpus
// It writes only seed-* files; crash-* files (inputs that once crashed)
// are kept as they are.
#include <mproc/args.h>
#include <mproc/common.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/args.hpp"
#include "core/launch/bootstrap.hpp"
#include "core/launch/launch.hpp"
#include "core/pool/mpi/mpi_wire.hpp"
#include "core/pool/pool_wire.hpp"
#include "core/sync/shared_object.hpp"
#include "fuzz_common.hpp"
#include "platform/fdpass.hpp"
#include "platform/pipes.hpp"
#include "platform/stream_io.hpp"

using namespace mproc;
using namespace mproc::fuzz;

namespace {

std::string g_root;
int g_written = 0;

void write_seed(const std::string& target, const std::string& name, const std::string& bytes) {
  std::string path = g_root + "/" + target + "/seed-" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
      std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  ++g_written;
}

template <class T>
std::string raw(const T& v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}

// An input for a target that reads it with FuzzedDataProvider, which takes
// byte strings from the front and integers from the back (most significant
// byte first, as many bytes as the range needs): each step is written in
// the order the target reads it.
class Script {
 public:
  Script& integral(uint64_t value, uint64_t lo, uint64_t hi) {
    uint64_t range = hi - lo, v = value - lo;
    int n = 0;
    while (n < 8 && (range >> (8 * n)) > 0) ++n;
    for (int i = n - 1; i >= 0; --i) back_.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
  Script& boolean(bool b) { return integral(b ? 1 : 0, 0, 255); }
  // A length-prefixed byte string: the length as read from the back.
  Script& bytes(const std::string& s, uint64_t lo, uint64_t hi) {
    integral(s.size(), lo, hi);
    front_ += s;
    return *this;
  }
  std::string done() const { return front_ + std::string(back_.rbegin(), back_.rend()); }

 private:
  std::string front_;
  std::string back_;  // in reading order; stored reversed at the end
};

// What a socket peer receives when `send` writes into its end: the bytes
// of the stream, framing and all (descriptors do not travel this way).
template <class Send>
std::string stream_of(Send send) {
  platform::UniqueFd a, b;
  platform::make_socket_pair(&a, &b);
  send(a.get());
  a.reset();
  std::string out;
  char buf[4096];
  for (;;) {
    std::ptrdiff_t n = platform::recv_nowait(b.get(), buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::shared_ptr<core::Args> scalars() {
  auto args = std::make_shared<core::Args>();
  args->add_bytes("abc", 3);
  args->add_str("hello");
  args->add_i64(-5);
  args->add_f64(1.5);
  return args;
}

// Every fixture object and the plain descriptor, in the fixtures' order,
// so that the record's descriptor indexes name the fixtures' descriptors.
std::shared_ptr<core::Args> all_fixtures() {
  auto args = scalars();
  for (const auto& object : fixtures().objects) args->add_object(object);
  args->add_fd(platform::dup_cloexec(fixtures().plain.get()));
  return args;
}

std::string args_record(const core::Args& args) {
  Sent sent;
  args.encode(sent.record, sent.fds);
  return sent.record.take();
}

core::LaunchRequest request(const std::string& task, std::shared_ptr<core::Args> args) {
  core::LaunchRequest req;
  req.task = task;
  req.name = "Process-1";
  req.lineage = {1, 2};
  req.daemon = true;
  req.parent_pid = 100;
  req.os_parent = 100;
  req.args = std::move(args);
  return req;
}

std::string launch_record(const core::LaunchRequest& req) {
  Sent sent;
  core::encode_launch(req, sent.record, sent.fds);
  return sent.record.take();
}

void args_seeds() {
  write_seed("args", "empty", args_record(core::Args()));
  write_seed("args", "scalars", args_record(*scalars()));
  write_seed("args", "all-objects", args_record(*all_fixtures()));
}

void launch_seeds() {
  write_seed("launch", "scalars", launch_record(request(kTaskName, scalars())));
  write_seed("launch", "all-objects", launch_record(request(kTaskName, all_fixtures())));
  write_seed("launch", "unknown-task", launch_record(request("no-such-task", scalars())));
}

void bootstrap_seeds() {
  const auto deadline = platform::Deadline::after_ms(5000);
  std::string req = launch_record(request(kTaskName, scalars()));
  write_seed("bootstrap", "launch", std::string(1, '\0') + stream_of([&](int s) {
    platform::send_record(s, req, {}, deadline);
  }));
  write_seed("bootstrap", "ack-ok", std::string(1, '\1') + stream_of([](int s) {
    core::send_ack(s, 0, "");
  }));
  write_seed("bootstrap", "ack-error", std::string(1, '\1') + stream_of([](int s) {
    core::send_ack(s, MPROC_ENOTFOUND, "task 'x' is not registered");
  }));
  write_seed("bootstrap", "hello", std::string(1, '\2') + stream_of([](int s) {
    core::send_hello(s);
  }));
}

// fuzz_conn.cpp's steps.
enum ConnStep { kSend, kRaw, kRecv, kRecvInto, kPoll, kClose };

void conn_seeds() {
  auto step = [](Script& s, ConnStep st) { s.integral(st, 0, 5); };
  Script a;
  for (const std::string& m : {std::string(), std::string("one"), std::string(300, 'x'), std::string("last")}) {
    step(a, kSend);
    a.bytes(m, 0, 600);
  }
  for (int i = 0; i < 5; ++i) step(a, kRecv);
  write_seed("conn", "send-recv", a.done());

  Script b;
  step(b, kSend);
  b.bytes(std::string(200, 'y'), 0, 600);
  step(b, kRecvInto);
  b.integral(100, 0, 700);  // too small: ETOOBIG, kept
  step(b, kRecvInto);
  b.integral(200, 0, 700);
  step(b, kPoll);
  step(b, kClose);
  step(b, kRecv);
  write_seed("conn", "recv-into", b.done());

  Script c;  // a header that claims more than comes
  step(c, kRaw);
  c.bytes(raw(uint32_t{1000}) + "abc", 1, 64);
  step(c, kRecv);
  step(c, kClose);
  write_seed("conn", "short-message", c.done());

  Script d;  // a length over the limit
  step(d, kRaw);
  d.bytes(raw(uint32_t{0xffffffff}), 1, 64);
  step(d, kPoll);
  step(d, kRecv);
  write_seed("conn", "bad-length", d.done());
}

// fuzz_shared.cpp's kTypes.
constexpr int kSharedTypes[] = {MPROC_ARG_CONN,    MPROC_ARG_LOCK, MPROC_ARG_RLOCK, MPROC_ARG_SEM,
                                MPROC_ARG_EVENT,   MPROC_ARG_COND, MPROC_ARG_BARRIER,
                                MPROC_ARG_SHM,     MPROC_ARG_QUEUE, MPROC_ARG_DICT, MPROC_ARG_LIST};

// A seed file's name for an MPROC_ARG_* type.
std::string type_name(int type) {
  switch (type) {
    case MPROC_ARG_CONN: return "conn";
    case MPROC_ARG_LOCK: return "lock";
    case MPROC_ARG_RLOCK: return "rlock";
    case MPROC_ARG_SEM: return "sem";
    case MPROC_ARG_EVENT: return "event";
    case MPROC_ARG_COND: return "cond";
    case MPROC_ARG_BARRIER: return "barrier";
    case MPROC_ARG_SHM: return "block";
    case MPROC_ARG_QUEUE: return "queue";
    case MPROC_ARG_DICT: return "dict";
    case MPROC_ARG_LIST: return "list";
    default: return std::to_string(type);
  }
}

void shared_seeds() {
  for (size_t t = 0; t < std::size(kSharedTypes); ++t) {
    for (unsigned variant : {0u, 1u}) {
      Script s;
      s.integral(t, 0, std::size(kSharedTypes) - 1).integral(variant, 0, 255).boolean(false);
      write_seed("shared", type_name(kSharedTypes[t]) + "-" + std::to_string(variant), s.done());
    }
    // The genuine record, then a peer's write over the header's size field.
    Script w;
    w.integral(t, 0, std::size(kSharedTypes) - 1).integral(0, 0, 255).boolean(false);
    w.integral(8, 0, 4095).boolean(true).bytes(raw(uint64_t{64}), 1, 16);
    write_seed("shared", type_name(kSharedTypes[t]) + "-header-size", w.done());
    // A forged record pointing to the mapping's last 64 bytes, where the
    // header was copied with the smallest size: no room for the state.
    std::shared_ptr<core::Shareable> object = make_object(kSharedTypes[t], 0);
    auto* shared = dynamic_cast<core::SharedObject*>(object.get());
    if (shared == nullptr) continue;
    const uint64_t mapped = shared->region()->size();
    Sent sent;
    object->encode(sent.record, sent.fds);
    std::string record = sent.record.take();
    const uint64_t moved = mapped - 64;
    std::memcpy(record.data() + 4, &moved, sizeof moved);  // the region's offset
    Script m;
    m.integral(t, 0, std::size(kSharedTypes) - 1).integral(0, 0, 255).boolean(true);
    m.bytes(record, 0, 96);
    m.integral(moved, 0, mapped - 1).boolean(false).integral(0, 0, mapped - 1);
    m.integral(64, 1, 512);
    m.integral(moved + 8, 0, mapped - 1).boolean(true).bytes(raw(uint64_t{64}), 1, 16);
    write_seed("shared", type_name(kSharedTypes[t]) + "-moved-to-end", m.done());
  }
}

// fuzz_queue.cpp's steps.
enum QueueStep { kSmallPut, kPut, kGet, kGetInto, kQueries, kReattach, kSetField, kWrite };

void queue_seeds() {
  // Capacity 4096 (shift 0); maxsize as given.
  auto start = [](uint64_t maxsize) {
    Script s;
    s.integral(0, 0, 2).integral(maxsize, 0, 6);
    return s;
  };
  auto step = [](Script& s, QueueStep st) { s.integral(st, 0, 7); };
  const uint64_t largest = 4096 / 2 - 8;

  Script a = start(0);
  for (int len : {0, 1, 7, 8, 64}) {
    step(a, kSmallPut);
    a.integral(len, 0, 64);
  }
  step(a, kQueries);
  for (int i = 0; i < 6; ++i) step(a, kGet);
  write_seed("queue", "fifo", a.done());

  Script b = start(0);  // around the ring: messages of a third of it
  for (int i = 0; i < 8; ++i) {
    step(b, kPut);
    b.integral(1300, 0, largest + 16);
    step(b, kGetInto);
    b.integral(i % 2 ? 2000 : 100, 0, largest + 16);
    step(b, kGet);
  }
  step(b, kPut);
  b.integral(largest + 1, 0, largest + 16);  // ETOOBIG
  write_seed("queue", "wrap", b.done());

  Script c = start(2);  // maxsize 2: the third put is EFULL
  for (int i = 0; i < 3; ++i) {
    step(c, kSmallPut);
    c.integral(16, 0, 64);
  }
  step(c, kReattach);
  step(c, kGet);
  step(c, kQueries);
  write_seed("queue", "maxsize", c.done());

  // A peer moves a position by one record, then the queue is used.
  const unsigned fields = 19;  // fuzz_queue.cpp's field_offset table
  for (unsigned field = 0; field < fields; ++field) {
    Script d = start(0);
    for (int i = 0; i < 3; ++i) {
      step(d, kSmallPut);
      d.integral(24, 0, 64);
    }
    step(d, kSetField);
    d.integral(field, 0, 255).boolean(true).integral(uint64_t(4), uint64_t(-64), uint64_t(64));
    step(d, kGet);
    step(d, kSmallPut);
    d.integral(8, 0, 64);
    step(d, kReattach);
    step(d, kGet);
    step(d, kQueries);
    write_seed("queue", "field-" + std::to_string(field), d.done());
  }

  Script e = start(0);  // a record's header overwritten
  step(e, kSmallPut);
  e.integral(40, 0, 64);
  step(e, kWrite);
  e.integral(4096, 0, 8191).bytes(raw(uint32_t{5000}) + raw(uint32_t{0x4d534731}), 1, 16);
  step(e, kGet);
  write_seed("queue", "record-header", e.done());
}

void pool_wire_seeds() {
  using namespace core;
  auto task = [](TaskKind kind, const std::string& name, uint64_t count, uint64_t in_size,
                 uint64_t out_size, const std::string& payload) {
    TaskHeader h{};
    h.kind = static_cast<uint32_t>(kind);
    h.name_len = static_cast<uint32_t>(name.size());
    h.id = 7;
    h.count = count;
    h.in_size = in_size;
    h.out_size = out_size;
    return std::string(1, '\0') + raw(h) + name + payload;
  };
  write_seed("pool_wire", "task-single", task(TaskKind::kSingle, "square", 1, 0, 0, "1234"));
  write_seed("pool_wire", "task-fixed",
             task(TaskKind::kFixedChunk, "square", 3, 4, 8, std::string(12, 'i')));
  std::string items = raw(uint64_t{3}) + "abc" + raw(uint64_t{0}) + raw(uint64_t{1}) + "z";
  write_seed("pool_wire", "task-var", task(TaskKind::kVarChunk, "echo", 3, 0, 0, items));
  write_seed("pool_wire", "task-stop", task(TaskKind::kStop, "", 0, 0, 0, ""));

  auto reply = [](ReplyKind kind, int32_t code, uint64_t failed, const std::string& message,
                  const std::string& payload, uint16_t count, uint16_t out_size) {
    ReplyHeader h{};
    h.kind = static_cast<uint32_t>(kind);
    h.worker = 1;
    h.id = 7;
    h.code = code;
    h.message_len = static_cast<uint32_t>(message.size());
    h.failed_index = failed;
    return std::string(1, '\1') + raw(h) + message + payload + raw(count) + raw(out_size);
  };
  write_seed("pool_wire", "reply-single", reply(ReplyKind::kResult, 0, 0, "", "out", 1, 3));
  write_seed("pool_wire", "reply-fixed-failed",
             reply(ReplyKind::kResult, MPROC_ETASK, 2, "boom", std::string(16, 'o'), 3, 8));
  std::string var = raw(VarItemHeader{0, 0, 2}) + "ok" + raw(VarItemHeader{MPROC_ETASK, 0, 4}) +
                    "fail";
  write_seed("pool_wire", "reply-var", reply(ReplyKind::kResult, 0, 0, "", var, 2, 0));
  write_seed("pool_wire", "reply-init-failed",
             reply(ReplyKind::kInitFailed, MPROC_ETASK, 0, "initializer failed", "", 0, 0));

  // MPI messages carrying those: a batch of two tasks, the replies to them.
  auto mpi = [](MpiMsgKind kind, std::initializer_list<std::string> records, uint16_t count,
                uint16_t out_size) {
    MpiMsgWriter w(kind);
    for (const std::string& r : records) {
      // Without the reader byte, and a reply without the chunk's sizes.
      std::string_view part = std::string_view(r).substr(1);
      if (kind != MpiMsgKind::kBatch) part.remove_suffix(4);
      w.record(&part, 1);
    }
    return std::string(1, '\2') + w.take(1000) + raw(count) + raw(out_size);
  };
  write_seed("pool_wire", "mpi-batch",
             mpi(MpiMsgKind::kBatch,
                 {task(TaskKind::kSingle, "square", 1, 0, 0, "1234"),
                  task(TaskKind::kFixedChunk, "square", 3, 4, 8, std::string(12, 'i'))},
                 0, 0));
  std::string replies = mpi(MpiMsgKind::kReplies,
                            {reply(ReplyKind::kResult, 0, 0, "", "out", 1, 3),
                             reply(ReplyKind::kResult, 0, 0, "", std::string(24, 'o'), 3, 8)},
                            3, 8);
  write_seed("pool_wire", "mpi-replies", replies);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus directory, e.g. tests/fuzz/corpus>\n", argv[0]);
    return 2;
  }
  g_root = argv[1];
  register_fuzz_task();
  args_seeds();
  launch_seeds();
  bootstrap_seeds();
  conn_seeds();
  shared_seeds();
  queue_seeds();
  pool_wire_seeds();
  std::printf("wrote %d seeds under %s\n", g_written, g_root.c_str());
  return 0;
}
