// C entry points shared by dicts and lists: options and snapshots, and
// the helpers of api/container_api.hpp.
#include "api/container_api.hpp"

#include <cstring>

#include "api/guard.hpp"

using mproc::api::wrap;

namespace mproc::api {

bool sink_to_message(void* ctx, const unsigned char* data, size_t len) {
  auto** m = static_cast<mproc_msg_s**>(ctx);
  if (*m != nullptr && (*m)->size != len) {
    mproc::core::message_free(*m);
    *m = nullptr;
  }
  if (*m == nullptr) *m = mproc::core::message_alloc(len);
  if (len > 0) std::memcpy((*m)->data(), data, len);
  return true;
}

bool sink_to_buffer(void* ctx, const unsigned char* data, size_t len) {
  auto* b = static_cast<BufferSink*>(ctx);
  *b->len = len;
  if (len > b->cap) return false;
  if (len > 0) std::memcpy(b->buf, data, len);
  return true;
}

mproc::core::ContainerOptions container_options(const mproc_container_opts_t* opts,
                                                const char* function) {
  if (opts == nullptr) return {};
  return options(opts, function);
}

void report_usage(const mproc::core::Container& c, size_t* used, size_t* limit) {
  if (used != nullptr) *used = static_cast<size_t>(c.used());
  if (limit != nullptr) *limit = static_cast<size_t>(c.limit());
}

}  // namespace mproc::api

namespace {

const mproc::core::Snapshot& snapshot_of(const mproc_items_t* items, const char* function) {
  return *MPROC_CHECK_IN(items, function).obj;
}

int item_part(const mproc_items_t* items, size_t index, const void** data, size_t* len,
              bool key, const char* function) {
  const auto& s = snapshot_of(items, function);
  mproc::api::require(data != nullptr && len != nullptr, function, "data or len is NULL");
  if (index >= s.size())
    return mproc::api::fail_message(MPROC_ERANGE, std::string(function) + ": index " +
                                                      std::to_string(index) + " of a snapshot of " +
                                                      std::to_string(s.size()) + " entries");
  *data = key ? s.key(index, len) : s.value(index, len);
  return 0;
}

}  // namespace

extern "C" {

int mproc_container_opts_new(mproc_container_opts_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = mproc::api::make<mproc_container_opts_s>();
  return 0;
  MPROC_API_END
}

void mproc_container_opts_free(mproc_container_opts_t* opts) { MPROC_RELEASE(opts); }

int mproc_container_opts_set_limit(mproc_container_opts_t* opts, size_t bytes) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  uint64_t most = mproc::core::kMaxContainerBytes - (uint64_t{1} << 16);
  if (bytes < mproc::core::kMinContainerLimit || bytes > most)
    return mproc::api::fail_message(
        MPROC_EINVAL, "mproc_container_opts_set_limit: the limit must be between " +
                          std::to_string(mproc::core::kMinContainerLimit) + " and " +
                          std::to_string(most) + " bytes, not " + std::to_string(bytes));
  o.limit = bytes;
  return 0;
  MPROC_API_END
}

int mproc_container_opts_set_named(mproc_container_opts_t* opts, int named) {
  MPROC_API_BEGIN
  mproc::api::set_named(MPROC_OPTIONS(opts).shared, named);
  return 0;
  MPROC_API_END
}

int mproc_container_opts_set_name(mproc_container_opts_t* opts, const char* name) {
  MPROC_API_BEGIN
  mproc::api::set_name(MPROC_OPTIONS(opts).shared, name, __func__);
  return 0;
  MPROC_API_END
}

int mproc_items_count(const mproc_items_t* items, size_t* count) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(count != nullptr, "count is NULL");
  *count = snapshot_of(items, __func__).size();
  return 0;
  MPROC_API_END
}

int mproc_items_key(const mproc_items_t* items, size_t index, const void** data, size_t* len) {
  MPROC_API_BEGIN
  return item_part(items, index, data, len, true, __func__);
  MPROC_API_END
}

int mproc_items_value(const mproc_items_t* items, size_t index, const void** data,
                      size_t* len) {
  MPROC_API_BEGIN
  return item_part(items, index, data, len, false, __func__);
  MPROC_API_END
}

void mproc_items_free(mproc_items_t* items) { MPROC_RELEASE(items); }

}  // extern "C"
