// C entry points for argument lists.
#include <mproc/args.h>

#include "api/guard.hpp"
#include "api/handles.hpp"
#include "api/shared_args.hpp"

using mproc::core::Args;

namespace mproc::api {

Args& args_of(mproc_args_t* a, const char* function) {
  return *check_handle(a, function).args;
}

const Args& args_of(const mproc_args_t* a, const char* function) {
  return args_of(const_cast<mproc_args_t*>(a), function);
}

}  // namespace mproc::api

using mproc::api::args_of;

extern "C" {

int mproc_args_new(mproc_args_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  auto list = std::make_shared<Args>();
  mproc_args_s* a = mproc::api::make<mproc_args_s>();
  a->args = std::move(list);
  *out = a;
  return 0;
  MPROC_API_END
}

void mproc_args_free(mproc_args_t* a) { MPROC_RELEASE(a); }

int mproc_args_add_bytes(mproc_args_t* a, const void* data, size_t len) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(data != nullptr || len == 0, "data is NULL");
  args_of(a, __func__).add_bytes(data, len);
  return 0;
  MPROC_API_END
}

int mproc_args_add_str(mproc_args_t* a, const char* str) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(str != nullptr, "str is NULL");
  args_of(a, __func__).add_str(str);
  return 0;
  MPROC_API_END
}

int mproc_args_add_i64(mproc_args_t* a, int64_t value) {
  MPROC_API_BEGIN
  args_of(a, __func__).add_i64(value);
  return 0;
  MPROC_API_END
}

int mproc_args_add_f64(mproc_args_t* a, double value) {
  MPROC_API_BEGIN
  args_of(a, __func__).add_f64(value);
  return 0;
  MPROC_API_END
}

int mproc_args_add_fd(mproc_args_t* a, int fd) {
  MPROC_API_BEGIN
  Args& args = args_of(a, __func__);
  if (fd < 0) mproc::fail(MPROC_EBADF, "mproc_args_add_fd: negative descriptor");
  args.add_fd(mproc::platform::import_user_fd(fd));
  return 0;
  MPROC_API_END
}

int mproc_args_add_conn(mproc_args_t* a, mproc_conn_t* conn) {
  MPROC_API_BEGIN
  mproc::api::add_handle(a, conn, __func__);
  return 0;
  MPROC_API_END
}

int mproc_args_count(const mproc_args_t* a, size_t* count) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(count != nullptr, "count is NULL");
  *count = args_of(a, __func__).size();
  return 0;
  MPROC_API_END
}

int mproc_args_type(const mproc_args_t* a, size_t index, mproc_arg_type_t* type) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(type != nullptr, "type is NULL");
  *type = args_of(a, __func__).at(index).type;
  return 0;
  MPROC_API_END
}

int mproc_args_get_bytes(const mproc_args_t* a, size_t index, const void** data,
                         size_t* len) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(data != nullptr && len != nullptr, "data or len is NULL");
  const auto& arg = args_of(a, __func__).get(index, MPROC_ARG_BYTES);
  *data = arg.bytes.data();
  *len = arg.bytes.size();
  return 0;
  MPROC_API_END
}

int mproc_args_get_str(const mproc_args_t* a, size_t index, const char** str) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(str != nullptr, "str is NULL");
  *str = args_of(a, __func__).get(index, MPROC_ARG_STR).bytes.c_str();
  return 0;
  MPROC_API_END
}

int mproc_args_get_i64(const mproc_args_t* a, size_t index, int64_t* value) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(value != nullptr, "value is NULL");
  *value = args_of(a, __func__).get(index, MPROC_ARG_I64).i64;
  return 0;
  MPROC_API_END
}

int mproc_args_get_f64(const mproc_args_t* a, size_t index, double* value) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(value != nullptr, "value is NULL");
  *value = args_of(a, __func__).get(index, MPROC_ARG_F64).f64;
  return 0;
  MPROC_API_END
}

int mproc_args_get_fd(const mproc_args_t* a, size_t index, int* fd) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(fd != nullptr, "fd is NULL");
  *fd = mproc::platform::user_fd_of(args_of(a, __func__).get(index, MPROC_ARG_FD).fd->get());
  return 0;
  MPROC_API_END
}

int mproc_args_get_conn(const mproc_args_t* a, size_t index, mproc_conn_t** out) {
  MPROC_API_BEGIN
  mproc::api::get_handle(a, index, MPROC_ARG_CONN, out, __func__);
  return 0;
  MPROC_API_END
}

}  // extern "C"
