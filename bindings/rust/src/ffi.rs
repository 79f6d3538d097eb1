//! Raw declarations of the mproc C ABI (include/mproc/*.h), written by hand
//! so that the crate needs neither bindgen nor the libc crate.
//!
//! Everything here is `unsafe` to call and follows the C headers' rules;
//! the rest of the crate is the safe layer over it.

#![allow(non_camel_case_types, missing_debug_implementations)]

use core::ffi::{c_char, c_double, c_int, c_uint, c_void};

macro_rules! opaque {
    ($($name:ident),* $(,)?) => {
        $(
            #[repr(C)]
            pub struct $name {
                _private: [u8; 0],
                // Opaque C objects must not be assumed Send, Sync or Unpin.
                _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
            }
        )*
    };
}

opaque!(
    mproc_args_t,
    mproc_process_t,
    mproc_process_opts_t,
    mproc_conn_t,
    mproc_command_opts_t,
    mproc_lock_t,
    mproc_rlock_t,
    mproc_sem_t,
    mproc_event_t,
    mproc_cond_t,
    mproc_barrier_t,
    mproc_shm_t,
    mproc_shared_opts_t,
    mproc_queue_t,
    mproc_queue_opts_t,
    mproc_msg_t,
    mproc_capture_t,
    mproc_result_t,
    mproc_listener_t,
    mproc_net_opts_t,
    mproc_waitset_t,
    mproc_pool_t,
    mproc_pool_opts_t,
    mproc_task_opts_t,
    mproc_future_t,
    mproc_map_opts_t,
    mproc_imap_t,
);

/// `mproc_task_fn`: the C side calls it with the child's argument list.
pub type mproc_task_fn = Option<unsafe extern "C" fn(args: *const mproc_args_t) -> c_int>;
/// `mproc_pool_fn`: a pool task, in the same registry (the binding
/// registers one kind per name, and passes None for the other).
pub type mproc_pool_fn = Option<
    unsafe extern "C" fn(input: *const c_void, len: usize, out: *mut mproc_result_t) -> c_int,
>;

/// C enums are `int` on every ABI mproc supports.
pub type mproc_arg_type_t = c_int;
pub type mproc_start_method_t = c_int;

pub const MPROC_FOREVER: i64 = -1;

pub const MPROC_START_DEFAULT: mproc_start_method_t = 0;
pub const MPROC_START_SPAWN: mproc_start_method_t = 1;
pub const MPROC_START_FORK: mproc_start_method_t = 2;
pub const MPROC_START_FORKSERVER: mproc_start_method_t = 3;

pub const MPROC_ARG_BYTES: mproc_arg_type_t = 1;
pub const MPROC_ARG_STR: mproc_arg_type_t = 2;
pub const MPROC_ARG_I64: mproc_arg_type_t = 3;
pub const MPROC_ARG_F64: mproc_arg_type_t = 4;
pub const MPROC_ARG_FD: mproc_arg_type_t = 5;
pub const MPROC_ARG_CONN: mproc_arg_type_t = 6;
pub const MPROC_ARG_LOCK: mproc_arg_type_t = 7;
pub const MPROC_ARG_RLOCK: mproc_arg_type_t = 8;
pub const MPROC_ARG_SEM: mproc_arg_type_t = 9;
pub const MPROC_ARG_EVENT: mproc_arg_type_t = 10;
pub const MPROC_ARG_COND: mproc_arg_type_t = 11;
pub const MPROC_ARG_BARRIER: mproc_arg_type_t = 12;
pub const MPROC_ARG_SHM: mproc_arg_type_t = 13;
pub const MPROC_ARG_QUEUE: mproc_arg_type_t = 14;

extern "C" {
    // ---- common.h
    pub fn mproc_version() -> c_uint;
    pub fn mproc_version_string() -> *const c_char;
    pub fn mproc_strerror(code: c_int) -> *const c_char;
    pub fn mproc_err_name(code: c_int) -> *const c_char;
    pub fn mproc_last_error() -> *const c_char;
    pub fn mproc_last_error_code() -> c_int;
    pub fn mproc_cpu_count() -> c_int;
    pub fn mproc_getpid() -> i64;

    // ---- args.h
    pub fn mproc_args_new(out: *mut *mut mproc_args_t) -> c_int;
    pub fn mproc_args_free(args: *mut mproc_args_t);
    pub fn mproc_args_add_bytes(args: *mut mproc_args_t, data: *const c_void, len: usize) -> c_int;
    pub fn mproc_args_add_str(args: *mut mproc_args_t, s: *const c_char) -> c_int;
    pub fn mproc_args_add_i64(args: *mut mproc_args_t, value: i64) -> c_int;
    pub fn mproc_args_add_f64(args: *mut mproc_args_t, value: c_double) -> c_int;
    pub fn mproc_args_add_fd(args: *mut mproc_args_t, fd: c_int) -> c_int;
    pub fn mproc_args_add_conn(args: *mut mproc_args_t, conn: *mut mproc_conn_t) -> c_int;
    pub fn mproc_args_count(args: *const mproc_args_t, count: *mut usize) -> c_int;
    pub fn mproc_args_type(
        args: *const mproc_args_t,
        index: usize,
        ty: *mut mproc_arg_type_t,
    ) -> c_int;
    pub fn mproc_args_get_bytes(
        args: *const mproc_args_t,
        index: usize,
        data: *mut *const c_void,
        len: *mut usize,
    ) -> c_int;
    pub fn mproc_args_get_str(
        args: *const mproc_args_t,
        index: usize,
        s: *mut *const c_char,
    ) -> c_int;
    pub fn mproc_args_get_i64(args: *const mproc_args_t, index: usize, value: *mut i64) -> c_int;
    pub fn mproc_args_get_f64(
        args: *const mproc_args_t,
        index: usize,
        value: *mut c_double,
    ) -> c_int;
    pub fn mproc_args_get_fd(args: *const mproc_args_t, index: usize, fd: *mut c_int) -> c_int;
    pub fn mproc_args_get_conn(
        args: *const mproc_args_t,
        index: usize,
        out: *mut *mut mproc_conn_t,
    ) -> c_int;

    // ---- process.h
    pub fn mproc_task_register(
        name: *const c_char,
        f: mproc_task_fn,
        pool_f: mproc_pool_fn,
    ) -> c_int;
    pub fn mproc_task_lookup(
        name: *const c_char,
        f: *mut mproc_task_fn,
        pool_f: *mut mproc_pool_fn,
    ) -> c_int;
    pub fn mproc_main(argc: c_int, argv: *mut *mut c_char) -> c_int;
    pub fn mproc_set_start_method(method: mproc_start_method_t) -> c_int;
    pub fn mproc_get_start_method() -> mproc_start_method_t;
    pub fn mproc_start_method_name(method: mproc_start_method_t) -> *const c_char;
    pub fn mproc_process_opts_new(out: *mut *mut mproc_process_opts_t) -> c_int;
    pub fn mproc_process_opts_free(opts: *mut mproc_process_opts_t);
    pub fn mproc_process_opts_set_name(
        opts: *mut mproc_process_opts_t,
        name: *const c_char,
    ) -> c_int;
    pub fn mproc_process_opts_set_daemon(opts: *mut mproc_process_opts_t, daemon: c_int) -> c_int;
    pub fn mproc_process_opts_set_start_method(
        opts: *mut mproc_process_opts_t,
        method: mproc_start_method_t,
    ) -> c_int;
    pub fn mproc_process_opts_set_new_group(opts: *mut mproc_process_opts_t, on: c_int) -> c_int;
    pub fn mproc_process_new(
        out: *mut *mut mproc_process_t,
        task: *const c_char,
        args: *mut mproc_args_t,
        opts: *const mproc_process_opts_t,
    ) -> c_int;
    pub fn mproc_process_new_fn(
        out: *mut *mut mproc_process_t,
        f: mproc_task_fn,
        args: *mut mproc_args_t,
        opts: *const mproc_process_opts_t,
    ) -> c_int;
    pub fn mproc_process_start(p: *mut mproc_process_t) -> c_int;
    pub fn mproc_process_join(p: *mut mproc_process_t, timeout_ms: i64) -> c_int;
    pub fn mproc_process_is_alive(p: *mut mproc_process_t, alive: *mut c_int) -> c_int;
    pub fn mproc_process_terminate(p: *mut mproc_process_t) -> c_int;
    pub fn mproc_process_kill(p: *mut mproc_process_t) -> c_int;
    pub fn mproc_process_pid(p: *const mproc_process_t, pid: *mut i64) -> c_int;
    pub fn mproc_process_exitcode(p: *mut mproc_process_t, code: *mut c_int) -> c_int;
    pub fn mproc_process_name(p: *const mproc_process_t, name: *mut *const c_char) -> c_int;
    pub fn mproc_process_daemon(p: *const mproc_process_t, daemon: *mut c_int) -> c_int;
    pub fn mproc_process_sentinel(p: *const mproc_process_t, fd: *mut c_int) -> c_int;
    pub fn mproc_process_free(p: *mut mproc_process_t);
    pub fn mproc_current_process_name() -> *const c_char;
    pub fn mproc_current_process_is_daemon() -> c_int;
    pub fn mproc_parent_pid() -> i64;
    pub fn mproc_active_children(pids: *mut i64, cap: usize, count: *mut usize) -> c_int;

    // ---- connection.h
    pub fn mproc_conn_pipe(
        a: *mut *mut mproc_conn_t,
        b: *mut *mut mproc_conn_t,
        duplex: c_int,
    ) -> c_int;
    pub fn mproc_conn_send(
        c: *mut mproc_conn_t,
        data: *const c_void,
        len: usize,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_conn_recv(
        c: *mut mproc_conn_t,
        out: *mut *mut mproc_msg_t,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_conn_recv_into(
        c: *mut mproc_conn_t,
        buf: *mut c_void,
        cap: usize,
        len: *mut usize,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_conn_poll(c: *mut mproc_conn_t, timeout_ms: i64) -> c_int;
    pub fn mproc_conn_close(c: *mut mproc_conn_t) -> c_int;
    pub fn mproc_conn_fileno(c: *mut mproc_conn_t, fd: *mut c_int) -> c_int;
    pub fn mproc_conn_writable(c: *const mproc_conn_t, writable: *mut c_int) -> c_int;
    pub fn mproc_conn_readable(c: *const mproc_conn_t, readable: *mut c_int) -> c_int;
    pub fn mproc_conn_free(c: *mut mproc_conn_t);
    pub fn mproc_msg_data(m: *const mproc_msg_t, data: *mut *const c_void) -> c_int;
    pub fn mproc_msg_size(m: *const mproc_msg_t, size: *mut usize) -> c_int;
    pub fn mproc_msg_free(m: *mut mproc_msg_t);

    // ---- command.h
    pub fn mproc_command_opts_new(out: *mut *mut mproc_command_opts_t) -> c_int;
    pub fn mproc_command_opts_free(opts: *mut mproc_command_opts_t);
    pub fn mproc_command_opts_set_cwd(opts: *mut mproc_command_opts_t, dir: *const c_char)
        -> c_int;
    pub fn mproc_command_opts_env_clear(opts: *mut mproc_command_opts_t) -> c_int;
    pub fn mproc_command_opts_env_set(
        opts: *mut mproc_command_opts_t,
        name: *const c_char,
        value: *const c_char,
    ) -> c_int;
    pub fn mproc_command_opts_env_unset(
        opts: *mut mproc_command_opts_t,
        name: *const c_char,
    ) -> c_int;
    pub fn mproc_command_capture(
        argv: *const *const c_char,
        opts: *const mproc_command_opts_t,
        input: *const c_void,
        input_len: usize,
        timeout_ms: i64,
        out: *mut *mut mproc_capture_t,
    ) -> c_int;
    pub fn mproc_capture_exitcode(c: *const mproc_capture_t, code: *mut c_int) -> c_int;
    pub fn mproc_capture_stdout(
        c: *const mproc_capture_t,
        data: *mut *const c_char,
        len: *mut usize,
    ) -> c_int;
    pub fn mproc_capture_stderr(
        c: *const mproc_capture_t,
        data: *mut *const c_char,
        len: *mut usize,
    ) -> c_int;
    pub fn mproc_capture_free(c: *mut mproc_capture_t);

    // ---- sync.h
    pub fn mproc_shared_opts_new(out: *mut *mut mproc_shared_opts_t) -> c_int;
    pub fn mproc_shared_opts_free(opts: *mut mproc_shared_opts_t);
    pub fn mproc_shared_opts_set_named(opts: *mut mproc_shared_opts_t, named: c_int) -> c_int;
    pub fn mproc_shared_opts_set_name(opts: *mut mproc_shared_opts_t, name: *const c_char)
        -> c_int;
    pub fn mproc_unlink(name: *const c_char) -> c_int;

    pub fn mproc_lock_new(out: *mut *mut mproc_lock_t, opts: *const mproc_shared_opts_t) -> c_int;
    pub fn mproc_lock_open(out: *mut *mut mproc_lock_t, name: *const c_char) -> c_int;
    pub fn mproc_lock_acquire(lock: *mut mproc_lock_t, timeout_ms: i64) -> c_int;
    pub fn mproc_lock_try_acquire(lock: *mut mproc_lock_t) -> c_int;
    pub fn mproc_lock_release(lock: *mut mproc_lock_t) -> c_int;
    pub fn mproc_lock_is_locked(lock: *mut mproc_lock_t, locked: *mut c_int) -> c_int;
    pub fn mproc_lock_name(lock: *const mproc_lock_t, name: *mut *const c_char) -> c_int;
    pub fn mproc_lock_free(lock: *mut mproc_lock_t);

    pub fn mproc_rlock_new(out: *mut *mut mproc_rlock_t, opts: *const mproc_shared_opts_t)
        -> c_int;
    pub fn mproc_rlock_open(out: *mut *mut mproc_rlock_t, name: *const c_char) -> c_int;
    pub fn mproc_rlock_acquire(lock: *mut mproc_rlock_t, timeout_ms: i64) -> c_int;
    pub fn mproc_rlock_try_acquire(lock: *mut mproc_rlock_t) -> c_int;
    pub fn mproc_rlock_release(lock: *mut mproc_rlock_t) -> c_int;
    pub fn mproc_rlock_depth(lock: *mut mproc_rlock_t, depth: *mut u32) -> c_int;
    pub fn mproc_rlock_name(lock: *const mproc_rlock_t, name: *mut *const c_char) -> c_int;
    pub fn mproc_rlock_free(lock: *mut mproc_rlock_t);

    pub fn mproc_sem_new(
        out: *mut *mut mproc_sem_t,
        value: u32,
        opts: *const mproc_shared_opts_t,
    ) -> c_int;
    pub fn mproc_sem_new_bounded(
        out: *mut *mut mproc_sem_t,
        value: u32,
        opts: *const mproc_shared_opts_t,
    ) -> c_int;
    pub fn mproc_sem_open(out: *mut *mut mproc_sem_t, name: *const c_char) -> c_int;
    pub fn mproc_sem_acquire(sem: *mut mproc_sem_t, timeout_ms: i64) -> c_int;
    pub fn mproc_sem_try_acquire(sem: *mut mproc_sem_t) -> c_int;
    pub fn mproc_sem_release(sem: *mut mproc_sem_t) -> c_int;
    pub fn mproc_sem_value(sem: *mut mproc_sem_t, value: *mut u32) -> c_int;
    pub fn mproc_sem_name(sem: *const mproc_sem_t, name: *mut *const c_char) -> c_int;
    pub fn mproc_sem_free(sem: *mut mproc_sem_t);

    pub fn mproc_event_new(out: *mut *mut mproc_event_t, opts: *const mproc_shared_opts_t)
        -> c_int;
    pub fn mproc_event_open(out: *mut *mut mproc_event_t, name: *const c_char) -> c_int;
    pub fn mproc_event_set(event: *mut mproc_event_t) -> c_int;
    pub fn mproc_event_clear(event: *mut mproc_event_t) -> c_int;
    pub fn mproc_event_is_set(event: *mut mproc_event_t, is_set: *mut c_int) -> c_int;
    pub fn mproc_event_wait(event: *mut mproc_event_t, timeout_ms: i64) -> c_int;
    pub fn mproc_event_name(event: *const mproc_event_t, name: *mut *const c_char) -> c_int;
    pub fn mproc_event_free(event: *mut mproc_event_t);

    pub fn mproc_cond_new(
        out: *mut *mut mproc_cond_t,
        lock: *mut mproc_lock_t,
        opts: *const mproc_shared_opts_t,
    ) -> c_int;
    pub fn mproc_cond_new_rlock(
        out: *mut *mut mproc_cond_t,
        lock: *mut mproc_rlock_t,
        opts: *const mproc_shared_opts_t,
    ) -> c_int;
    pub fn mproc_cond_open(out: *mut *mut mproc_cond_t, name: *const c_char) -> c_int;
    pub fn mproc_cond_acquire(cond: *mut mproc_cond_t, timeout_ms: i64) -> c_int;
    pub fn mproc_cond_release(cond: *mut mproc_cond_t) -> c_int;
    pub fn mproc_cond_wait(cond: *mut mproc_cond_t, timeout_ms: i64) -> c_int;
    pub fn mproc_cond_notify(cond: *mut mproc_cond_t, n: u32) -> c_int;
    pub fn mproc_cond_notify_all(cond: *mut mproc_cond_t) -> c_int;
    pub fn mproc_cond_name(cond: *const mproc_cond_t, name: *mut *const c_char) -> c_int;
    pub fn mproc_cond_free(cond: *mut mproc_cond_t);

    pub fn mproc_barrier_new(
        out: *mut *mut mproc_barrier_t,
        parties: u32,
        opts: *const mproc_shared_opts_t,
    ) -> c_int;
    pub fn mproc_barrier_open(out: *mut *mut mproc_barrier_t, name: *const c_char) -> c_int;
    pub fn mproc_barrier_wait(
        barrier: *mut mproc_barrier_t,
        timeout_ms: i64,
        index: *mut u32,
    ) -> c_int;
    pub fn mproc_barrier_abort(barrier: *mut mproc_barrier_t) -> c_int;
    pub fn mproc_barrier_reset(barrier: *mut mproc_barrier_t) -> c_int;
    pub fn mproc_barrier_parties(barrier: *mut mproc_barrier_t, parties: *mut u32) -> c_int;
    pub fn mproc_barrier_n_waiting(barrier: *mut mproc_barrier_t, n: *mut u32) -> c_int;
    pub fn mproc_barrier_broken(barrier: *mut mproc_barrier_t, broken: *mut c_int) -> c_int;
    pub fn mproc_barrier_name(barrier: *const mproc_barrier_t, name: *mut *const c_char) -> c_int;
    pub fn mproc_barrier_free(barrier: *mut mproc_barrier_t);

    pub fn mproc_args_add_lock(args: *mut mproc_args_t, lock: *mut mproc_lock_t) -> c_int;
    pub fn mproc_args_add_rlock(args: *mut mproc_args_t, lock: *mut mproc_rlock_t) -> c_int;
    pub fn mproc_args_add_sem(args: *mut mproc_args_t, sem: *mut mproc_sem_t) -> c_int;
    pub fn mproc_args_add_event(args: *mut mproc_args_t, event: *mut mproc_event_t) -> c_int;
    pub fn mproc_args_add_cond(args: *mut mproc_args_t, cond: *mut mproc_cond_t) -> c_int;
    pub fn mproc_args_add_barrier(args: *mut mproc_args_t, barrier: *mut mproc_barrier_t) -> c_int;
    pub fn mproc_args_get_lock(
        args: *const mproc_args_t,
        index: usize,
        out: *mut *mut mproc_lock_t,
    ) -> c_int;
    pub fn mproc_args_get_rlock(
        args: *const mproc_args_t,
        index: usize,
        out: *mut *mut mproc_rlock_t,
    ) -> c_int;
    pub fn mproc_args_get_sem(
        args: *const mproc_args_t,
        index: usize,
        out: *mut *mut mproc_sem_t,
    ) -> c_int;
    pub fn mproc_args_get_event(
        args: *const mproc_args_t,
        index: usize,
        out: *mut *mut mproc_event_t,
    ) -> c_int;
    pub fn mproc_args_get_cond(
        args: *const mproc_args_t,
        index: usize,
        out: *mut *mut mproc_cond_t,
    ) -> c_int;
    pub fn mproc_args_get_barrier(
        args: *const mproc_args_t,
        index: usize,
        out: *mut *mut mproc_barrier_t,
    ) -> c_int;

    // ---- shm.h
    pub fn mproc_shm_new(
        out: *mut *mut mproc_shm_t,
        size: usize,
        opts: *const mproc_shared_opts_t,
    ) -> c_int;
    pub fn mproc_shm_open(out: *mut *mut mproc_shm_t, name: *const c_char) -> c_int;
    pub fn mproc_shm_data(shm: *const mproc_shm_t, data: *mut *mut c_void) -> c_int;
    pub fn mproc_shm_size(shm: *const mproc_shm_t, size: *mut usize) -> c_int;
    pub fn mproc_shm_lock(shm: *mut mproc_shm_t, out: *mut *mut mproc_lock_t) -> c_int;
    pub fn mproc_shm_name(shm: *const mproc_shm_t, name: *mut *const c_char) -> c_int;
    pub fn mproc_shm_free(shm: *mut mproc_shm_t);
    pub fn mproc_args_add_shm(args: *mut mproc_args_t, shm: *mut mproc_shm_t) -> c_int;
    pub fn mproc_args_get_shm(
        args: *const mproc_args_t,
        index: usize,
        out: *mut *mut mproc_shm_t,
    ) -> c_int;

    // ---- queue.h
    pub fn mproc_queue_opts_new(out: *mut *mut mproc_queue_opts_t) -> c_int;
    pub fn mproc_queue_opts_free(opts: *mut mproc_queue_opts_t);
    pub fn mproc_queue_opts_set_maxsize(opts: *mut mproc_queue_opts_t, maxsize: usize) -> c_int;
    pub fn mproc_queue_opts_set_capacity(opts: *mut mproc_queue_opts_t, bytes: usize) -> c_int;
    pub fn mproc_queue_opts_set_named(opts: *mut mproc_queue_opts_t, named: c_int) -> c_int;
    pub fn mproc_queue_opts_set_name(opts: *mut mproc_queue_opts_t, name: *const c_char) -> c_int;
    pub fn mproc_queue_new(out: *mut *mut mproc_queue_t, opts: *const mproc_queue_opts_t) -> c_int;
    pub fn mproc_queue_open(out: *mut *mut mproc_queue_t, name: *const c_char) -> c_int;
    pub fn mproc_queue_put(
        q: *mut mproc_queue_t,
        data: *const c_void,
        len: usize,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_queue_get(
        q: *mut mproc_queue_t,
        out: *mut *mut mproc_msg_t,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_queue_get_into(
        q: *mut mproc_queue_t,
        buf: *mut c_void,
        cap: usize,
        len: *mut usize,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_queue_qsize(q: *mut mproc_queue_t, n: *mut usize) -> c_int;
    pub fn mproc_queue_empty(q: *mut mproc_queue_t, empty: *mut c_int) -> c_int;
    pub fn mproc_queue_full(q: *mut mproc_queue_t, full: *mut c_int) -> c_int;
    pub fn mproc_queue_maxsize(q: *mut mproc_queue_t, maxsize: *mut usize) -> c_int;
    pub fn mproc_queue_capacity(q: *mut mproc_queue_t, bytes: *mut usize) -> c_int;
    pub fn mproc_queue_max_message(q: *mut mproc_queue_t, bytes: *mut usize) -> c_int;
    pub fn mproc_queue_close(q: *mut mproc_queue_t) -> c_int;
    pub fn mproc_queue_is_closed(q: *mut mproc_queue_t, closed: *mut c_int) -> c_int;
    pub fn mproc_queue_task_done(q: *mut mproc_queue_t) -> c_int;
    pub fn mproc_queue_join(q: *mut mproc_queue_t, timeout_ms: i64) -> c_int;
    pub fn mproc_queue_name(q: *const mproc_queue_t, name: *mut *const c_char) -> c_int;
    pub fn mproc_queue_free(q: *mut mproc_queue_t);
    pub fn mproc_args_add_queue(args: *mut mproc_args_t, q: *mut mproc_queue_t) -> c_int;
    pub fn mproc_args_get_queue(
        args: *const mproc_args_t,
        index: usize,
        out: *mut *mut mproc_queue_t,
    ) -> c_int;
}

// authkey.h, listener.h, wait.h (issue 15).
extern "C" {
    pub fn mproc_authkey_get(buf: *mut c_void, cap: usize, len: *mut usize) -> c_int;
    pub fn mproc_authkey_set(key: *const c_void, len: usize) -> c_int;
    pub fn mproc_process_opts_set_authkey(
        opts: *mut mproc_process_opts_t,
        key: *const c_void,
        len: usize,
    ) -> c_int;
    pub fn mproc_net_opts_new(out: *mut *mut mproc_net_opts_t) -> c_int;
    pub fn mproc_net_opts_free(opts: *mut mproc_net_opts_t);
    pub fn mproc_net_opts_set_authkey(
        opts: *mut mproc_net_opts_t,
        key: *const c_void,
        len: usize,
    ) -> c_int;
    pub fn mproc_net_opts_set_no_auth(opts: *mut mproc_net_opts_t, on: c_int) -> c_int;
    pub fn mproc_net_opts_set_handshake_timeout(
        opts: *mut mproc_net_opts_t,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_net_opts_set_send_buffer(opts: *mut mproc_net_opts_t, bytes: usize) -> c_int;
    pub fn mproc_listener_new(
        out: *mut *mut mproc_listener_t,
        address: *const c_char,
        opts: *const mproc_net_opts_t,
    ) -> c_int;
    pub fn mproc_listener_accept(
        l: *mut mproc_listener_t,
        out: *mut *mut mproc_conn_t,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_listener_address(l: *const mproc_listener_t, out: *mut *const c_char) -> c_int;
    pub fn mproc_listener_fileno(l: *const mproc_listener_t, fd: *mut c_int) -> c_int;
    pub fn mproc_listener_close(l: *mut mproc_listener_t) -> c_int;
    pub fn mproc_listener_free(l: *mut mproc_listener_t);
    pub fn mproc_conn_connect(
        out: *mut *mut mproc_conn_t,
        address: *const c_char,
        opts: *const mproc_net_opts_t,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_conn_flush(c: *mut mproc_conn_t, timeout_ms: i64) -> c_int;
    pub fn mproc_waitset_new(out: *mut *mut mproc_waitset_t) -> c_int;
    pub fn mproc_waitset_free(w: *mut mproc_waitset_t);
    pub fn mproc_waitset_add_conn(
        w: *mut mproc_waitset_t,
        c: *mut mproc_conn_t,
        slot: *mut usize,
    ) -> c_int;
    pub fn mproc_waitset_add_listener(
        w: *mut mproc_waitset_t,
        l: *mut mproc_listener_t,
        slot: *mut usize,
    ) -> c_int;
    pub fn mproc_waitset_add_queue(
        w: *mut mproc_waitset_t,
        q: *mut mproc_queue_t,
        slot: *mut usize,
    ) -> c_int;
    pub fn mproc_waitset_remove(w: *mut mproc_waitset_t, slot: usize) -> c_int;
    pub fn mproc_waitset_wait(
        w: *mut mproc_waitset_t,
        timeout_ms: i64,
        ready: *mut usize,
        cap: usize,
        count: *mut usize,
    ) -> c_int;

    // ---- pool.h
    pub fn mproc_result_set(out: *mut mproc_result_t, data: *const c_void, len: usize) -> c_int;
    pub fn mproc_result_error(
        out: *mut mproc_result_t,
        code: c_int,
        message: *const c_char,
    ) -> c_int;
    pub fn mproc_pool_opts_new(out: *mut *mut mproc_pool_opts_t) -> c_int;
    pub fn mproc_pool_opts_free(opts: *mut mproc_pool_opts_t);
    pub fn mproc_pool_opts_set_processes(opts: *mut mproc_pool_opts_t, n: usize) -> c_int;
    pub fn mproc_pool_opts_set_start_method(
        opts: *mut mproc_pool_opts_t,
        method: mproc_start_method_t,
    ) -> c_int;
    pub fn mproc_pool_opts_set_initializer(
        opts: *mut mproc_pool_opts_t,
        task: *const c_char,
        args: *const mproc_args_t,
    ) -> c_int;
    pub fn mproc_pool_opts_set_maxtasksperchild(opts: *mut mproc_pool_opts_t, n: usize) -> c_int;
    pub fn mproc_task_opts_new(out: *mut *mut mproc_task_opts_t) -> c_int;
    pub fn mproc_task_opts_free(opts: *mut mproc_task_opts_t);
    pub fn mproc_task_opts_set_timeout(opts: *mut mproc_task_opts_t, timeout_ms: i64) -> c_int;
    pub fn mproc_pool_new(out: *mut *mut mproc_pool_t, opts: *const mproc_pool_opts_t) -> c_int;
    pub fn mproc_pool_processes(pool: *const mproc_pool_t, n: *mut usize) -> c_int;
    pub fn mproc_pool_apply_async(
        pool: *mut mproc_pool_t,
        task: *const c_char,
        input: *const c_void,
        len: usize,
        opts: *const mproc_task_opts_t,
        out: *mut *mut mproc_future_t,
    ) -> c_int;
    pub fn mproc_map_opts_new(out: *mut *mut mproc_map_opts_t) -> c_int;
    pub fn mproc_map_opts_free(opts: *mut mproc_map_opts_t);
    pub fn mproc_map_opts_set_chunksize(opts: *mut mproc_map_opts_t, n: usize) -> c_int;
    pub fn mproc_pool_imap(
        pool: *mut mproc_pool_t,
        task: *const c_char,
        inputs: *const *const c_void,
        lens: *const usize,
        count: usize,
        opts: *const mproc_map_opts_t,
        out: *mut *mut mproc_imap_t,
    ) -> c_int;
    pub fn mproc_pool_imap_unordered(
        pool: *mut mproc_pool_t,
        task: *const c_char,
        inputs: *const *const c_void,
        lens: *const usize,
        count: usize,
        opts: *const mproc_map_opts_t,
        out: *mut *mut mproc_imap_t,
    ) -> c_int;
    pub fn mproc_imap_next(
        it: *mut mproc_imap_t,
        index: *mut usize,
        out: *mut *mut mproc_msg_t,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_imap_free(it: *mut mproc_imap_t);
    pub fn mproc_pool_close(pool: *mut mproc_pool_t) -> c_int;
    pub fn mproc_pool_terminate(pool: *mut mproc_pool_t) -> c_int;
    pub fn mproc_pool_join(pool: *mut mproc_pool_t, timeout_ms: i64) -> c_int;
    pub fn mproc_pool_free(pool: *mut mproc_pool_t);
    pub fn mproc_future_wait(f: *mut mproc_future_t, timeout_ms: i64) -> c_int;
    pub fn mproc_future_ready(f: *const mproc_future_t, ready: *mut c_int) -> c_int;
    pub fn mproc_future_result(
        f: *mut mproc_future_t,
        out: *mut *mut mproc_msg_t,
        timeout_ms: i64,
    ) -> c_int;
    pub fn mproc_future_free(f: *mut mproc_future_t);
}
