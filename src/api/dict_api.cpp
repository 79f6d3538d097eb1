// C entry points for shared dicts.
#include "api/container_api.hpp"
#include "api/guard.hpp"

using mproc::api::status;
using mproc::api::wrap;
using mproc::core::SharedDict;

namespace {

// Keys and values may be empty: NULL is then fine.
void require_bytes(const void* p, size_t len, const char* function, const char* what) {
  mproc::api::require(p != nullptr || len == 0, function, what);
}

int not_found(const char* function) {
  return mproc::api::fail_message(MPROC_ENOTFOUND, std::string(function) + ": no such key");
}

int set_with(mproc_dict_t* d, const void* key, size_t klen, const void* value, size_t vlen,
             SharedDict::When when, const void* expected, size_t elen, const char* function) {
  auto held = MPROC_CHECK_IN(d, function).obj;  // see MPROC_HOLD
  require_bytes(key, klen, function, "key is NULL");
  require_bytes(value, vlen, function, "value is NULL");
  int rc = held->set(key, klen, value, vlen, when, expected, elen);
  if (rc == MPROC_EEXIST)
    return mproc::api::fail_message(rc, std::string(function) + ": the key is present");
  if (rc == MPROC_ESTATE)
    return mproc::api::fail_message(
        rc, std::string(function) + ": the key's value is not the expected one");
  if (rc == MPROC_ENOTFOUND) return not_found(function);
  return status(rc);
}

int pop_with(mproc_dict_t* d, const void* key, size_t klen, mproc_msg_t** out,
             const char* function) {
  auto held = MPROC_CHECK_IN(d, function).obj;  // see MPROC_HOLD
  require_bytes(key, klen, function, "key is NULL");
  int rc = out == nullptr ? held->remove(key, klen, nullptr, nullptr)
                          : mproc::api::read_into_message(
                                [&](mproc::core::ValueSink sink, void* ctx) {
                                  return held->remove(key, klen, sink, ctx);
                                },
                                out);
  return rc == MPROC_ENOTFOUND ? not_found(function) : status(rc);
}

}  // namespace

extern "C" {

int mproc_dict_new(mproc_dict_t** out, const mproc_container_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_dict_s>(SharedDict::create(mproc::api::container_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_dict_set(mproc_dict_t* d, const void* key, size_t klen, const void* value,
                   size_t vlen) {
  MPROC_API_BEGIN
  return set_with(d, key, klen, value, vlen, SharedDict::When::kAlways, nullptr, 0, __func__);
  MPROC_API_END
}

int mproc_dict_add(mproc_dict_t* d, const void* key, size_t klen, const void* value,
                   size_t vlen) {
  MPROC_API_BEGIN
  return set_with(d, key, klen, value, vlen, SharedDict::When::kAbsent, nullptr, 0, __func__);
  MPROC_API_END
}

int mproc_dict_replace(mproc_dict_t* d, const void* key, size_t klen, const void* expected,
                       size_t elen, const void* value, size_t vlen) {
  MPROC_API_BEGIN
  require_bytes(expected, elen, __func__, "expected is NULL");
  return set_with(d, key, klen, value, vlen, SharedDict::When::kEquals, expected, elen,
                  __func__);
  MPROC_API_END
}

int mproc_dict_get(const mproc_dict_t* d, const void* key, size_t klen, mproc_msg_t** out) {
  MPROC_API_BEGIN
  const SharedDict& dict = MPROC_UNWRAP(d);
  require_bytes(key, klen, __func__, "key is NULL");
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  int rc = mproc::api::read_into_message(
      [&](mproc::core::ValueSink sink, void* ctx) { return dict.get(key, klen, sink, ctx); }, out);
  return rc == MPROC_ENOTFOUND ? not_found(__func__) : status(rc);
  MPROC_API_END
}

int mproc_dict_get_into(const mproc_dict_t* d, const void* key, size_t klen, void* buf,
                        size_t cap, size_t* len) {
  MPROC_API_BEGIN
  const SharedDict& dict = MPROC_UNWRAP(d);
  require_bytes(key, klen, __func__, "key is NULL");
  int rc = mproc::api::read_into_buffer(
      [&](mproc::core::ValueSink sink, void* ctx) { return dict.get(key, klen, sink, ctx); }, buf,
      cap, len, __func__);
  return rc == MPROC_ENOTFOUND ? not_found(__func__) : status(rc);
  MPROC_API_END
}

int mproc_dict_contains(const mproc_dict_t* d, const void* key, size_t klen, int* found) {
  MPROC_API_BEGIN
  const SharedDict& dict = MPROC_UNWRAP(d);
  require_bytes(key, klen, __func__, "key is NULL");
  MPROC_REQUIRE(found != nullptr, "found is NULL");
  *found = dict.contains(key, klen) ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_dict_delete(mproc_dict_t* d, const void* key, size_t klen) {
  MPROC_API_BEGIN
  return pop_with(d, key, klen, nullptr, __func__);
  MPROC_API_END
}

int mproc_dict_pop(mproc_dict_t* d, const void* key, size_t klen, mproc_msg_t** out) {
  MPROC_API_BEGIN
  return pop_with(d, key, klen, out, __func__);
  MPROC_API_END
}

int mproc_dict_len(const mproc_dict_t* d, size_t* n) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(n != nullptr, "n is NULL");
  *n = static_cast<size_t>(MPROC_UNWRAP(d).size());
  return 0;
  MPROC_API_END
}

int mproc_dict_clear(mproc_dict_t* d) {
  MPROC_API_BEGIN
  MPROC_HOLD(d)->clear();
  return 0;
  MPROC_API_END
}

int mproc_dict_items(const mproc_dict_t* d, mproc_items_t** out) {
  MPROC_API_BEGIN
  const SharedDict& dict = MPROC_UNWRAP(d);
  mproc::api::take_snapshot([&](mproc::core::Snapshot* s) { dict.snapshot(true, s); }, out,
                            __func__);
  return 0;
  MPROC_API_END
}

int mproc_dict_keys(const mproc_dict_t* d, mproc_items_t** out) {
  MPROC_API_BEGIN
  const SharedDict& dict = MPROC_UNWRAP(d);
  mproc::api::take_snapshot([&](mproc::core::Snapshot* s) { dict.snapshot(false, s); }, out,
                            __func__);
  return 0;
  MPROC_API_END
}

MPROC_CONTAINER_COMMON_API(dict, mproc_dict_s, SharedDict, MPROC_ARG_DICT)

}  // extern "C"
