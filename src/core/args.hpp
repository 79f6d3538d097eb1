// An ordered list of task arguments, and its encoding for spawned children.
#pragma once

#include <mproc/args.h>

#include <memory>
#include <string>
#include <vector>

#include "core/shareable.hpp"
#include "platform/fd.hpp"

namespace mproc::core {

struct Arg {
  mproc_arg_type_t type = MPROC_ARG_I64;
  std::string bytes;  // BYTES and STR
  int64_t i64 = 0;
  double f64 = 0;
  std::shared_ptr<platform::UniqueFd> fd;  // FD
  std::shared_ptr<Shareable> object;       // every handle type
};

class Args {
 public:
  void add_bytes(const void* data, size_t len);
  void add_str(const char* s);
  void add_i64(int64_t v);
  void add_f64(double v);
  void add_fd(platform::UniqueFd fd);  // takes it over
  void add_object(std::shared_ptr<Shareable> object);

  size_t size() const noexcept { return items_.size(); }
  // A new list holding this one's arguments from `from` on (shared, not
  // copied: descriptors and objects are the same ones).
  std::shared_ptr<Args> tail(size_t from) const;
  // Appends (shares) every argument of `other`.
  void append(const Args& other);
  // The argument at `index` if it has type `want`; throws ERANGE or ETYPE.
  const Arg& get(size_t index, mproc_arg_type_t want) const;
  const Arg& at(size_t index) const;

  void encode(WireWriter& out, std::vector<int>& fds) const;
  static std::shared_ptr<Args> decode(WireReader& in, ReceivedFds& fds);

 private:
  std::vector<Arg> items_;
};

const char* arg_type_name(int type) noexcept;

}  // namespace mproc::core
