// C entry points for shared lists.
#include "api/container_api.hpp"
#include "api/guard.hpp"

using mproc::api::status;
using mproc::api::wrap;
using mproc::core::SharedList;

namespace {

int no_index(const char* function, int64_t index) {
  return mproc::api::fail_message(MPROC_ERANGE, std::string(function) + ": index " +
                                                    std::to_string(index) +
                                                    " is outside the list");
}

// Python's insert; INT64_MAX appends.
int insert_with(mproc_list_t* l, int64_t index, const void* value, size_t len,
                const char* function) {
  auto held = MPROC_CHECK_IN(l, function).obj;  // see MPROC_HOLD
  mproc::api::require(value != nullptr || len == 0, function, "value is NULL");
  held->insert(index, value, len);
  return 0;
}

}  // namespace

extern "C" {

int mproc_list_new(mproc_list_t** out, const mproc_container_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_list_s>(SharedList::create(mproc::api::container_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_list_append(mproc_list_t* l, const void* value, size_t len) {
  MPROC_API_BEGIN
  return insert_with(l, INT64_MAX, value, len, __func__);
  MPROC_API_END
}

int mproc_list_insert(mproc_list_t* l, int64_t index, const void* value, size_t len) {
  MPROC_API_BEGIN
  return insert_with(l, index, value, len, __func__);
  MPROC_API_END
}

int mproc_list_set(mproc_list_t* l, int64_t index, const void* value, size_t len) {
  MPROC_API_BEGIN
  auto held = MPROC_HOLD(l);
  MPROC_REQUIRE(value != nullptr || len == 0, "value is NULL");
  int rc = held->set(index, value, len);
  return rc == MPROC_ERANGE ? no_index(__func__, index) : status(rc);
  MPROC_API_END
}

int mproc_list_get(const mproc_list_t* l, int64_t index, mproc_msg_t** out) {
  MPROC_API_BEGIN
  const SharedList& list = MPROC_UNWRAP(l);
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  int rc = mproc::api::read_into_message(
      [&](mproc::core::ValueSink sink, void* ctx) { return list.get(index, sink, ctx); }, out);
  return rc == MPROC_ERANGE ? no_index(__func__, index) : status(rc);
  MPROC_API_END
}

int mproc_list_get_into(const mproc_list_t* l, int64_t index, void* buf, size_t cap,
                        size_t* len) {
  MPROC_API_BEGIN
  const SharedList& list = MPROC_UNWRAP(l);
  int rc = mproc::api::read_into_buffer(
      [&](mproc::core::ValueSink sink, void* ctx) { return list.get(index, sink, ctx); }, buf, cap,
      len, __func__);
  return rc == MPROC_ERANGE ? no_index(__func__, index) : status(rc);
  MPROC_API_END
}

int mproc_list_pop(mproc_list_t* l, int64_t index, mproc_msg_t** out) {
  MPROC_API_BEGIN
  auto held = MPROC_HOLD(l);
  int rc = out == nullptr ? held->pop(index, nullptr, nullptr)
                          : mproc::api::read_into_message(
                                [&](mproc::core::ValueSink sink, void* ctx) {
                                  return held->pop(index, sink, ctx);
                                },
                                out);
  return rc == MPROC_ERANGE ? no_index(__func__, index) : status(rc);
  MPROC_API_END
}

int mproc_list_len(const mproc_list_t* l, size_t* n) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(n != nullptr, "n is NULL");
  *n = static_cast<size_t>(MPROC_UNWRAP(l).size());
  return 0;
  MPROC_API_END
}

int mproc_list_clear(mproc_list_t* l) {
  MPROC_API_BEGIN
  MPROC_HOLD(l)->clear();
  return 0;
  MPROC_API_END
}

int mproc_list_items(const mproc_list_t* l, mproc_items_t** out) {
  MPROC_API_BEGIN
  const SharedList& list = MPROC_UNWRAP(l);
  mproc::api::take_snapshot([&](mproc::core::Snapshot* s) { list.snapshot(s); }, out, __func__);
  return 0;
  MPROC_API_END
}

MPROC_CONTAINER_COMMON_API(list, mproc_list_s, SharedList, MPROC_ARG_LIST)

}  // extern "C"
