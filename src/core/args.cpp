#include "core/args.hpp"

#include <cstring>

namespace mproc::core {

const char* arg_type_name(int type) noexcept {
  switch (type) {
    case MPROC_ARG_BYTES: return "bytes";
    case MPROC_ARG_STR: return "a string";
    case MPROC_ARG_I64: return "an integer";
    case MPROC_ARG_F64: return "a double";
    case MPROC_ARG_FD: return "a descriptor";
    case MPROC_ARG_CONN: return "a connection";
    case MPROC_ARG_LOCK: return "a lock";
    case MPROC_ARG_RLOCK: return "a recursive lock";
    case MPROC_ARG_SEM: return "a semaphore";
    case MPROC_ARG_EVENT: return "an event";
    case MPROC_ARG_COND: return "a condition";
    case MPROC_ARG_BARRIER: return "a barrier";
    case MPROC_ARG_SHM: return "a shared block";
    case MPROC_ARG_QUEUE: return "a queue";
    case MPROC_ARG_DICT: return "a shared dict";
    case MPROC_ARG_LIST: return "a shared list";
    default: return "an unknown type";
  }
}

void Args::add_bytes(const void* data, size_t len) {
  Arg a;
  a.type = MPROC_ARG_BYTES;
  if (len > 0) a.bytes.assign(static_cast<const char*>(data), len);
  items_.push_back(std::move(a));
}

void Args::add_str(const char* s) {
  Arg a;
  a.type = MPROC_ARG_STR;
  a.bytes = s;
  items_.push_back(std::move(a));
}

void Args::add_i64(int64_t v) {
  Arg a;
  a.type = MPROC_ARG_I64;
  a.i64 = v;
  items_.push_back(std::move(a));
}

void Args::add_f64(double v) {
  Arg a;
  a.type = MPROC_ARG_F64;
  a.f64 = v;
  items_.push_back(std::move(a));
}

void Args::add_fd(platform::UniqueFd fd) {
  Arg a;
  a.type = MPROC_ARG_FD;
  a.fd = std::make_shared<platform::UniqueFd>(std::move(fd));
  items_.push_back(std::move(a));
}

void Args::add_object(std::shared_ptr<Shareable> object) {
  Arg a;
  a.type = static_cast<mproc_arg_type_t>(object->arg_type());
  a.object = std::move(object);
  items_.push_back(std::move(a));
}

std::shared_ptr<Args> Args::tail(size_t from) const {
  auto out = std::make_shared<Args>();
  for (size_t i = from; i < items_.size(); ++i) out->items_.push_back(items_[i]);
  return out;
}

void Args::append(const Args& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

const Arg& Args::at(size_t index) const {
  if (index >= items_.size())
    fail(MPROC_ERANGE, "argument " + std::to_string(index) + " does not exist (" +
                           std::to_string(items_.size()) + " arguments)");
  return items_[index];
}

const Arg& Args::get(size_t index, mproc_arg_type_t want) const {
  const Arg& a = at(index);
  if (a.type != want)
    fail(MPROC_ETYPE, "argument " + std::to_string(index) + " is " +
                          arg_type_name(a.type) + ", not " + arg_type_name(want));
  return a;
}

void Args::encode(WireWriter& out, std::vector<int>& fds) const {
  out.u32(static_cast<uint32_t>(items_.size()));
  for (const Arg& a : items_) {
    out.u8(static_cast<uint8_t>(a.type));
    switch (a.type) {
      case MPROC_ARG_BYTES:
      case MPROC_ARG_STR:
        out.str(a.bytes);
        break;
      case MPROC_ARG_I64:
        out.i64(a.i64);
        break;
      case MPROC_ARG_F64:
        out.f64(a.f64);
        break;
      case MPROC_ARG_FD:
        encode_fd(out, fds, a.fd->get());
        break;
      default:
        a.object->encode(out, fds);
        break;
    }
  }
}

std::shared_ptr<Args> Args::decode(WireReader& in, ReceivedFds& fds) {
  auto args = std::make_shared<Args>();
  uint32_t n = in.u32();
  for (uint32_t i = 0; i < n; ++i) {
    Arg a;
    // Not an mproc_arg_type_t until known to be one of its values.
    const int type = in.u8();
    switch (type) {
      case MPROC_ARG_BYTES:
      case MPROC_ARG_STR:
        a.bytes = in.str();
        break;
      case MPROC_ARG_I64:
        a.i64 = in.i64();
        break;
      case MPROC_ARG_F64:
        a.f64 = in.f64();
        break;
      case MPROC_ARG_FD:
        a.fd = std::make_shared<platform::UniqueFd>(fds.take(in.u32()));
        break;
      default:
        a.object = decode_shareable(type, in, fds);  // ECORRUPT for an unknown type
        break;
    }
    a.type = static_cast<mproc_arg_type_t>(type);
    args->items_.push_back(std::move(a));
  }
  return args;
}

}  // namespace mproc::core
