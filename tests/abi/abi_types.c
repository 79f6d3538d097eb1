/* The public types that no exported function of libmproc names, given to
 * abidw through one function of this test-only library, so that the ABI
 * baseline pins their values too (the error codes are part of the ABI:
 * mproc/common.h). The enums that exported functions do name are pinned
 * through libmproc's own baseline and repeated here only for one place
 * that lists them all. Add a public type here when no function takes it. */
#include <mproc/mproc.h>

__attribute__((visibility("default"))) int mproc_abi_types(mproc_errno_t code,
                                                            mproc_arg_type_t arg,
                                                            mproc_start_method_t method,
                                                            mproc_stdio_t stdio,
                                                            const mproc_completion_t *completion) {
  /* mproc_completion_t: the record layout mproc_completions_take writes. */
  return (int)code + (int)arg + (int)method + (int)stdio + (completion ? completion->code : 0);
}
