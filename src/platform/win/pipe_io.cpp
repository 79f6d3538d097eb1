// Pipe I/O in single non-blocking steps with separate waits, on an
// overlapped pipe handle.
//
// Windows pipes have no "send what fits now": an overlapped write either
// completes or stays pending with the rest, and cancelling it would lose
// count of what the reader already took. So a send copies its bytes and
// lets the write run (the bytes are taken, as a socket buffer takes them);
// the next send waits for it. Readiness to read is learnt, as libuv and
// Python's multiprocessing do, from a zero-byte read, which completes once
// data (or the end) is there without consuming anything.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "platform/error.hpp"
#include "pipe.hpp"

namespace mproc::platform::winproc {

struct Pipe::Op {
  OVERLAPPED ov{};
  UniqueHandle event;
  std::vector<char> buf;
  bool pending = false;
  Op() : event(::CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
    if (!event) fail_last_error("CreateEvent");
  }
  // Fresh for the next operation (Read/WriteFile reset the event itself).
  OVERLAPPED* start() {
    ov = OVERLAPPED{};
    ov.hEvent = event.get();
    return &ov;
  }
  bool done() const { return ::WaitForSingleObject(event.get(), 0) == WAIT_OBJECT_0; }
};

namespace {

// The most one send copies: a long message goes in several steps.
constexpr size_t kSendChunk = 1024 * 1024;

bool peer_gone_error(DWORD err) {
  return err == ERROR_BROKEN_PIPE || err == ERROR_NO_DATA || err == ERROR_PIPE_NOT_CONNECTED;
}

[[noreturn]] void fail_peer_gone() { fail(MPROC_EPIPE, "connection: the peer is gone"); }

// A closed end whose last write is still in flight: the handle and the
// buffer live until the write ends (the peer read it or went away). The
// thread pool's wait and the closing thread each mark it; the second
// frees it, since the callback may run before the wait's handle is known.
struct Linger {
  UniqueHandle file;
  std::unique_ptr<Pipe::Op> op;
  HANDLE wait = nullptr;
  std::atomic<int> marks{0};
};

void finish_linger(Linger* l) {
  if (l->marks.fetch_add(1) == 1) {
    ::UnregisterWaitEx(l->wait, nullptr);  // non-blocking: fine in the callback
    delete l;
  }
}

void CALLBACK linger_written(void* ctx, BOOLEAN) {
  auto* l = static_cast<Linger*>(ctx);
  DWORD n = 0;
  ::GetOverlappedResult(l->file.get(), &l->op->ov, &n, FALSE);
  l->file.reset();
  finish_linger(l);
}

// Ends a completed probe. True when there was one (the pipe is readable or
// at its end).
bool finish_probe(HANDLE h, Pipe::Op& probe, bool& probing) {
  if (!probing || !probe.done()) return false;
  DWORD n = 0;
  ::GetOverlappedResult(h, &probe.ov, &n, FALSE);  // errors: the next read says
  probing = false;
  return true;
}

}  // namespace

Pipe::Pipe(UniqueHandle h) : h_(std::move(h)), write_(new Op), probe_(new Op) {}

std::shared_ptr<Pipe> Pipe::adopt(HANDLE h) {
  auto pipe = std::make_shared<Pipe>(UniqueHandle());
  pipe->h_.reset(h);
  return pipe;
}

Pipe::~Pipe() { close(); }

void Pipe::settle_write() {
  if (!write_->pending) return;
  DWORD n = 0;
  if (!write_->done()) return;
  write_->pending = false;
  if (!::GetOverlappedResult(h_.get(), &write_->ov, &n, FALSE)) {
    DWORD err = ::GetLastError();
    if (peer_gone_error(err)) {
      peer_gone_ = true;
      fail_peer_gone();
    }
    fail_win32("connection: send", err);
  }
}

size_t Pipe::send_nowait(const void* head, size_t head_len, const void* body, size_t body_len,
                         size_t skip) {
  if (!h_) fail(MPROC_ECLOSED, "connection: send on a closed pipe");
  if (peer_gone_) fail_peer_gone();
  settle_write();
  if (write_->pending) return 0;
  size_t total = head_len + body_len;
  if (skip >= total) return 0;
  size_t n = std::min(total - skip, kSendChunk);
  std::vector<char>& buf = write_->buf;
  buf.resize(n);
  size_t filled = 0;
  if (skip < head_len) {
    filled = std::min(head_len - skip, n);
    std::memcpy(buf.data(), static_cast<const char*>(head) + skip, filled);
  }
  if (filled < n) {
    size_t body_from = skip + filled - head_len;
    std::memcpy(buf.data() + filled, static_cast<const char*>(body) + body_from, n - filled);
  }
  if (::WriteFile(h_.get(), buf.data(), static_cast<DWORD>(n), nullptr, write_->start())) {
    DWORD done = 0;
    ::GetOverlappedResult(h_.get(), &write_->ov, &done, FALSE);
    return done;
  }
  DWORD err = ::GetLastError();
  if (err == ERROR_IO_PENDING) {
    write_->pending = true;
    return n;
  }
  if (peer_gone_error(err)) {
    peer_gone_ = true;
    fail_peer_gone();
  }
  fail_win32("connection: send", err);
}

long long Pipe::recv_nowait(void* data, size_t len) {
  if (!h_) fail(MPROC_ECLOSED, "connection: recv on a closed pipe");
  finish_probe(h_.get(), *probe_, probing_);
  DWORD avail = 0;
  if (!::PeekNamedPipe(h_.get(), nullptr, 0, nullptr, &avail, nullptr)) {
    DWORD err = ::GetLastError();
    if (peer_gone_error(err)) return 0;  // the end (also after the peer died)
    fail_win32("connection: recv", err);
  }
  if (avail == 0) return kPipeNothingYet;
  if (len == 0) return 0;
  DWORD want = static_cast<DWORD>(std::min<size_t>({len, avail, UINT32_MAX / 2}));
  // The bytes are there, so the read completes at once; a local OVERLAPPED
  // is waited for in any case before it goes out of scope.
  OVERLAPPED ov{};
  ov.hEvent = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (ov.hEvent == nullptr) fail_last_error("CreateEvent");
  UniqueHandle event(ov.hEvent);
  DWORD got = 0;
  if (!::ReadFile(h_.get(), data, want, nullptr, &ov)) {
    DWORD err = ::GetLastError();
    if (err != ERROR_IO_PENDING) {
      if (peer_gone_error(err)) return 0;
      fail_win32("connection: recv", err);
    }
  }
  if (!::GetOverlappedResult(h_.get(), &ov, &got, TRUE)) {
    DWORD err = ::GetLastError();
    if (peer_gone_error(err)) return 0;
    fail_win32("connection: recv", err);
  }
  return got;
}

HANDLE Pipe::readable_event() {
  if (!h_) fail(MPROC_ECLOSED, "connection: wait on a closed pipe");
  if (probing_) return finish_probe(h_.get(), *probe_, probing_) ? nullptr : probe_->event.get();
  DWORD avail = 0;
  if (!::PeekNamedPipe(h_.get(), nullptr, 0, nullptr, &avail, nullptr) || avail > 0)
    return nullptr;  // data, or the end / an error for the next read to report
  static char dummy;
  if (::ReadFile(h_.get(), &dummy, 0, nullptr, probe_->start())) return nullptr;
  if (::GetLastError() != ERROR_IO_PENDING) return nullptr;
  probing_ = true;
  return probe_->event.get();
}

HANDLE Pipe::writable_event() {
  if (!h_) fail(MPROC_ECLOSED, "connection: wait on a closed pipe");
  if (!write_->pending || write_->done()) return nullptr;
  return write_->event.get();
}

bool Pipe::wait_readable(const Deadline& deadline) {
  HANDLE event = readable_event();
  if (event == nullptr) return true;
  return wait_any(&event, 1, deadline) == 0;
}

bool Pipe::wait_writable(const Deadline& deadline) {
  HANDLE event = writable_event();
  if (event == nullptr) return true;
  return wait_any(&event, 1, deadline) == 0;
}

bool Pipe::write_all(const void* data, size_t len, const Deadline& deadline, size_t* written) {
  size_t sent = 0;
  auto report = [&] {
    if (written != nullptr) *written = sent;
  };
  try {
    while (sent < len) {
      size_t n = send_nowait(data, len, nullptr, 0, sent);
      sent += n;
      if (n == 0 && !wait_writable(deadline)) {
        report();
        return false;
      }
    }
  } catch (...) {
    report();
    throw;
  }
  report();
  return true;
}

bool Pipe::read_exact(void* data, size_t len, const Deadline& deadline, size_t* got) {
  size_t done = 0;
  auto report = [&] {
    if (got != nullptr) *got = done;
  };
  while (done < len) {
    long long n = recv_nowait(static_cast<char*>(data) + done, len - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      report();
      return false;
    }
    if (!wait_readable(deadline)) {
      report();
      fail(MPROC_ETIMEDOUT, "pipe: timed out waiting for " + std::to_string(len - done) +
                                " more bytes");
    }
  }
  report();
  return true;
}

void Pipe::drop_probe() noexcept {
  if (!probing_) return;
  DWORD n = 0;
  ::CancelIoEx(h_.get(), &probe_->ov);
  ::GetOverlappedResult(h_.get(), &probe_->ov, &n, TRUE);
  probing_ = false;
}

void Pipe::close() noexcept {
  if (!h_) return;
  drop_probe();
  if (write_->pending && !write_->done()) {
    auto* l = new (std::nothrow) Linger;
    if (l != nullptr) {
      l->file = std::move(h_);
      l->op = std::move(write_);
      if (::RegisterWaitForSingleObject(&l->wait, l->op->event.get(),
                                        &linger_written, l, INFINITE,
                                        WT_EXECUTEONLYONCE)) {
        finish_linger(l);
        return;
      }
      h_ = std::move(l->file);
      write_ = std::move(l->op);
      delete l;
    }
    // No way to linger: the write is cut short rather than leaked.
    DWORD n = 0;
    ::CancelIoEx(h_.get(), &write_->ov);
    ::GetOverlappedResult(h_.get(), &write_->ov, &n, TRUE);
  }
  h_.reset();
}

}  // namespace mproc::platform::winproc
