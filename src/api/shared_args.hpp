// Adding shared handles to argument lists and reading them back, the same
// way for every handle type.
#pragma once

#include <memory>

#include "api/handles.hpp"

namespace mproc::api {

// The argument list behind a handle; EINVAL for NULL or a freed one.
mproc::core::Args& args_of(mproc_args_t* a, const char* function);
const mproc::core::Args& args_of(const mproc_args_t* a, const char* function);

template <class H>
void add_handle(mproc_args_t* a, H* h, const char* function) {
  mproc::core::Args& args = args_of(a, function);
  args.add_object(check_handle(h, function).obj);
}

template <class H>
void get_handle(const mproc_args_t* a, size_t index, mproc_arg_type_t type, H** out,
                const char* function) {
  require(out != nullptr, function, "out is NULL");
  const auto& arg = args_of(a, function).get(index, type);
  using Core = typename decltype(H::obj)::element_type;
  *out = wrap<H>(std::static_pointer_cast<Core>(arg.object));
}

// The options behind a shared-options handle (NULL: anonymous).
mproc::core::SharedOptions shared_options(const mproc_shared_opts_t* opts,
                                          const char* function);

// The set_named and set_name calls of every options object that makes a
// shared object (shared options, queue options, container options): one
// rule for all. Clearing `named` forgets a name given before; a name is
// checked here, when it is given, so a bad one fails at the setter.
void set_named(mproc::core::SharedOptions& o, int named);
void set_name(mproc::core::SharedOptions& o, const char* name, const char* function);

}  // namespace mproc::api

// What every shared object type offers alike: open by name, its name,
// free, and passing to a child.
#define MPROC_SHARED_OBJECT_API(prefix, Handle, Core, arg_type)                      \
  int mproc_##prefix##_open(Handle** out, const char* name) {                       \
    MPROC_API_BEGIN                                                                  \
    MPROC_REQUIRE(out != nullptr, "out is NULL");                                    \
    MPROC_REQUIRE(name != nullptr, "name is NULL");                                  \
    *out = wrap<Handle>(Core::open(name));                                           \
    return 0;                                                                        \
    MPROC_API_END                                                                    \
  }                                                                                  \
  int mproc_##prefix##_name(const Handle* h, const char** name) {                    \
    MPROC_API_BEGIN                                                                  \
    MPROC_REQUIRE(name != nullptr, "name is NULL");                                  \
    *name = MPROC_UNWRAP(h).name().c_str();                                          \
    return 0;                                                                        \
    MPROC_API_END                                                                    \
  }                                                                                  \
  void mproc_##prefix##_free(Handle* h) { MPROC_RELEASE(h); }                        \
  int mproc_args_add_##prefix(mproc_args_t* a, Handle* h) {                          \
    MPROC_API_BEGIN                                                                  \
    mproc::api::add_handle(a, h, __func__);                                          \
    return 0;                                                                        \
    MPROC_API_END                                                                    \
  }                                                                                  \
  int mproc_args_get_##prefix(const mproc_args_t* a, size_t index, Handle** out) {   \
    MPROC_API_BEGIN                                                                  \
    mproc::api::get_handle(a, index, arg_type, out, __func__);                       \
    return 0;                                                                        \
    MPROC_API_END                                                                    \
  }
