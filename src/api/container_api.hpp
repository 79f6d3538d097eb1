// What the C entry points of shared dicts and lists share: their handles,
// the sinks that take a value out of shared memory (into a new message or
// the caller's buffer), and the calls every shared object type has.
#pragma once

#include <mproc/shared_containers.h>

#include "api/handles.hpp"
#include "api/shared_args.hpp"
#include "core/containers/dict.hpp"
#include "core/containers/list.hpp"

MPROC_DEFINE_HANDLE(mproc_dict_s, mproc::core::SharedDict, 0x64696374, "mproc_dict_t");
MPROC_DEFINE_HANDLE(mproc_list_s, mproc::core::SharedList, 0x6c697374, "mproc_list_t");
MPROC_DEFINE_HANDLE(mproc_items_s, mproc::core::Snapshot, 0x6974656d, "mproc_items_t");
MPROC_DEFINE_OPTIONS(mproc_container_opts_s, mproc::core::ContainerOptions, 0x636e6f70,
                     "mproc_container_opts_t");

namespace mproc::api {

// A value into a new message: ctx is the mproc_msg_s* to fill (replaced
// when a second look finds another size). The caller frees it on failure.
bool sink_to_message(void* ctx, const unsigned char* data, size_t len);

// A value into the caller's buffer.
struct BufferSink {
  void* buf;
  size_t cap;
  size_t* len;
};
bool sink_to_buffer(void* ctx, const unsigned char* data, size_t len);

// Runs read(sink, ctx) into the caller's buffer (mproc/common.h,
// "Buffers"): ETOOBIG with the size needed when it is too small.
template <class Read>
int read_into_buffer(Read read, void* buf, size_t cap, size_t* len, const char* function) {
  require(buf != nullptr || cap == 0, function, "buf is NULL");
  require(len != nullptr, function, "len is NULL");
  BufferSink b{buf, cap, len};
  int rc = read(&sink_to_buffer, &b);
  return rc == MPROC_ETOOBIG ? buffer_too_small(function, *len, cap) : rc;
}

// Runs read(sink, ctx) with a message sink; *out gets the message on 0.
template <class Read>
int read_into_message(Read read, mproc_msg_t** out) {
  mproc_msg_s* m = nullptr;
  int rc;
  try {
    rc = read(&sink_to_message, &m);
  } catch (...) {
    if (m != nullptr) mproc::core::message_free(m);
    throw;
  }
  if (rc != 0 && m != nullptr) {
    mproc::core::message_free(m);
    m = nullptr;
  }
  if (out != nullptr) {
    *out = m;
  } else if (m != nullptr) {
    mproc::core::message_free(m);
  }
  return rc;
}

// The options for a new container (NULL: the defaults).
mproc::core::ContainerOptions container_options(const mproc_container_opts_t* opts,
                                                const char* function);

// *out gets a new snapshot handle taken by fill(Snapshot*).
template <class Fill>
void take_snapshot(Fill fill, mproc_items_t** out, const char* function) {
  require(out != nullptr, function, "out is NULL");
  auto snapshot = std::make_shared<mproc::core::Snapshot>();
  fill(snapshot.get());
  *out = wrap<mproc_items_s>(std::move(snapshot));
}

// Fills *used and *limit (either may be NULL) from a container.
void report_usage(const mproc::core::Container& c, size_t* used, size_t* limit);

}  // namespace mproc::api

// What a container type offers beside every shared object's calls
// (MPROC_SHARED_OBJECT_API): its usage and a check of its shared state.
#define MPROC_CONTAINER_COMMON_API(prefix, Handle, Core, arg_type)                 \
  MPROC_SHARED_OBJECT_API(prefix, Handle, Core, arg_type)                          \
  int mproc_##prefix##_usage(const Handle* h, size_t* used, size_t* limit) {       \
    MPROC_API_BEGIN                                                                \
    mproc::api::report_usage(MPROC_UNWRAP(h), used, limit);                        \
    return 0;                                                                      \
    MPROC_API_END                                                                  \
  }                                                                                \
  int mproc_##prefix##_check(const Handle* h) {                                    \
    MPROC_API_BEGIN                                                                \
    MPROC_UNWRAP(h).check();                                                       \
    return 0;                                                                      \
    MPROC_API_END                                                                  \
  }
