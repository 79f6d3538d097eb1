#![doc = include_str!("../README.md")]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_debug_implementations)]

pub mod ffi;

mod args;
mod codec;
mod command;
mod error;
mod handle;
mod message;
mod net;
mod pipe;
mod pool;
mod process;
mod queue;
mod shared;
mod shared_containers;
mod shm;
mod sync;
mod task;
mod util;

pub use args::{ArgType, Args, ArgsRef};
pub use codec::{from_bytes, to_bytes, Decode, Encode};
pub use command::{run, Command, Output};
pub use error::{code, Error, ErrorKind, Result};
pub use message::Message;
pub use net::{authkey, connect, set_authkey, Listener, NetOptions, WaitSet};
pub use pipe::{pipe, Connection};
pub use pool::{
    register_pool_task, run_pool_task, AsyncResult, IMap, IMapUnordered, Pool, PoolOptions,
    PoolTaskFn,
};
pub use process::{
    active_children, current_process_is_daemon, current_process_name, parent_pid, set_start_method,
    start_method, Process, ProcessOptions, StartMethod,
};
pub use queue::{Queue, QueueOptions};
pub use shared::{unlink, SharedOptions};
pub use shared_containers::{
    ContainerOptions, Items, SharedDict, SharedList, CONTAINER_DEFAULT_LIMIT,
};
pub use shm::{SharedMemory, ShmGuard};
pub use sync::{
    Barrier, CondGuard, CondLock, Condition, Event, Lock, LockGuard, RLock, RLockGuard, Semaphore,
};
pub use task::{main, register_task, run_task, TaskExit, TaskFn, PANIC_EXIT_CODE};

/// The version of the loaded library, e.g. "0.1.0".
pub fn version() -> &'static str {
    // SAFETY: common.h: a static string, never NULL.
    unsafe { util::borrowed_str(ffi::mproc_version_string()) }
}

/// The loaded library's version as major * 10000 + minor * 100 + patch.
pub fn version_number() -> u32 {
    // SAFETY: no arguments.
    unsafe { ffi::mproc_version() }
}

/// The number of CPUs this process may run on (its affinity mask), at
/// least 1.
pub fn cpu_count() -> usize {
    // SAFETY: no arguments.
    let n = unsafe { ffi::mproc_cpu_count() };
    usize::try_from(n).unwrap_or(1).max(1)
}
