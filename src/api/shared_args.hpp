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

}  // namespace mproc::api
