// C entry points for version, errors and process-wide facts.
#include <mproc/common.h>

#include "api/guard.hpp"
#include "platform/sysinfo.hpp"

extern "C" {

unsigned mproc_version(void) { return MPROC_VERSION_NUMBER; }

const char* mproc_version_string(void) { return MPROC_VERSION_STRING; }

const char* mproc_strerror(int code) { return mproc::error_text(code); }

const char* mproc_err_name(int code) { return mproc::error_name(code); }

const char* mproc_last_error(void) { return mproc::api::last_error_text(); }

int mproc_last_error_code(void) { return mproc::api::last_error_code(); }

int mproc_cpu_count(void) { return mproc::platform::cpu_count(); }

int64_t mproc_getpid(void) { return mproc::platform::current_pid(); }

}  // extern "C"
