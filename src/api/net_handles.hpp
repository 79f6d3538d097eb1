// The C handles of mproc/listener.h and mproc/wait.h (see api/handles.hpp).
#pragma once

#include "api/handles.hpp"
#include "core/net/listener.hpp"
#include "core/net/net_options.hpp"
#include "core/waitset.hpp"

MPROC_DEFINE_HANDLE(mproc_listener_s, mproc::core::Listener, 0x6c69736e, "mproc_listener_t");
MPROC_DEFINE_HANDLE(mproc_waitset_s, mproc::core::WaitSet, 0x77736574, "mproc_waitset_t");
MPROC_DEFINE_OPTIONS(mproc_net_opts_s, mproc::core::NetOptions, 0x6e6f7074, "mproc_net_opts_t");
