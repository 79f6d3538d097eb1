//! A pool of worker processes running pool tasks registered in Rust
//! (Python's multiprocessing.Pool), with typed inputs and outputs through
//! [`Encode`] and [`Decode`].

use core::ffi::{c_int, c_void};
use std::fmt::Display;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::time::Duration;

use crate::codec::{from_bytes, to_bytes, Decode, Encode};
use crate::error::{check, code, Error, ErrorKind, Result};
use crate::ffi;
use crate::handle::handle;
use crate::message::Message;
use crate::process::StartMethod;
use crate::util::{create, cstring, out, timeout_ms};

/// The C signature of a pool task. [`pool_task!`](crate::pool_task) writes
/// one from a typed Rust function.
pub type PoolTaskFn =
    unsafe extern "C" fn(input: *const c_void, len: usize, out: *mut ffi::mproc_result_t) -> c_int;

/// Registers a pool task under `name`. As with [`register_task`](crate::register_task),
/// do it in `main()` before [`mproc::main()`](crate::main): workers started
/// by spawn run the program again and look the name up there.
pub fn register_pool_task(name: &str, task: PoolTaskFn) -> Result<()> {
    let name = cstring("task name", name)?;
    // SAFETY: valid C string (copied); a valid function pointer.
    check(unsafe { ffi::mproc_task_register(name.as_ptr(), None, Some(task)) })
}

/// Runs a typed pool task body inside the C calling convention: decodes
/// the input, encodes the output, and turns an `Err` (its `Display` text)
/// or a panic into the task's error, which the caller receives as
/// `TaskFailed` with that message. A malformed input fails with
/// `InvalidArgument`. [`pool_task!`](crate::pool_task) calls this.
///
/// # Safety
/// `input` must be readable for `len` bytes (or `len` 0) and `out` a live
/// result, as the library guarantees to a pool task it calls.
pub unsafe fn run_pool_task<I, O, E, F>(
    input: *const c_void,
    len: usize,
    out: *mut ffi::mproc_result_t,
    body: F,
) -> c_int
where
    I: Decode,
    O: Encode,
    E: Display,
    F: FnOnce(I) -> std::result::Result<O, E>,
{
    let bytes = if len == 0 || input.is_null() {
        &[][..]
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { std::slice::from_raw_parts(input.cast::<u8>(), len) }
    };
    let outcome = match from_bytes::<I>(bytes) {
        Err(e) => Err((code::EINVAL, format!("bad task input: {}", e.message()))),
        Ok(value) => match catch_unwind(AssertUnwindSafe(|| body(value))) {
            Ok(Ok(output)) => Ok(to_bytes(&output)),
            Ok(Err(e)) => Err((code::ETASK, e.to_string())),
            Err(panic) => Err((
                code::ETASK,
                format!("task panicked: {}", panic_text(&*panic)),
            )),
        },
    };
    match outcome {
        // SAFETY: live result; the bytes are readable for their length.
        Ok(bytes) => unsafe { ffi::mproc_result_set(out, bytes.as_ptr().cast(), bytes.len()) },
        Err((rc, message)) => {
            let message = std::ffi::CString::new(message.replace('\0', " ")).unwrap_or_default();
            // SAFETY: live result, valid C string (copied).
            unsafe { ffi::mproc_result_error(out, rc, message.as_ptr()) }
        }
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// Defines a pool task from a typed function: its one parameter is the
/// decoded input (a tuple for several values), and it returns
/// `Result<Output, E>` where `E: Display` becomes the task's error message.
///
/// ```no_run
/// mproc::pool_task!(fn add(pair: (i64, i64)) -> Result<i64, String> {
///     pair.0.checked_add(pair.1).ok_or_else(|| "overflow".to_string())
/// });
///
/// fn main() -> mproc::Result<()> {
///     mproc::register_pool_task("add", add)?;
///     mproc::main()?;
///     let pool = mproc::Pool::new(&mproc::PoolOptions::new().processes(2))?;
///     assert_eq!(pool.apply::<_, i64>("add", &(2i64, 3i64))?, 5);
///     Ok(())
/// }
/// ```
#[macro_export]
macro_rules! pool_task {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($arg:ident : $in:ty) -> $ret:ty $body:block) => {
        $(#[$meta])*
        $vis unsafe extern "C" fn $name(
            input: *const ::core::ffi::c_void,
            len: usize,
            out: *mut $crate::ffi::mproc_result_t,
        ) -> ::core::ffi::c_int {
            // A nested item keeps the body safe code (see task!).
            fn body($arg: $in) -> $ret $body
            // SAFETY: the library calls a pool task with valid buffers.
            unsafe { $crate::run_pool_task(input, len, out, body) }
        }
    };
}

/// How a [`Pool`] is made.
#[derive(Clone, Debug, Default)]
pub struct PoolOptions {
    processes: usize,
    start_method: Option<StartMethod>,
    maxtasksperchild: usize,
    initializer: Option<String>,
}

impl PoolOptions {
    pub fn new() -> PoolOptions {
        PoolOptions::default()
    }

    /// Number of workers; 0 (default) is [`cpu_count()`](crate::cpu_count).
    pub fn processes(mut self, n: usize) -> PoolOptions {
        self.processes = n;
        self
    }

    pub fn start_method(mut self, method: StartMethod) -> PoolOptions {
        self.start_method = Some(method);
        self
    }

    /// Replace a worker after this many tasks; 0 (default): never.
    pub fn maxtasksperchild(mut self, n: usize) -> PoolOptions {
        self.maxtasksperchild = n;
        self
    }

    /// A registered process task (see [`task!`](crate::task)) each worker
    /// runs, with no arguments, before its first task; a non-zero exit
    /// status breaks the pool.
    pub fn initializer(mut self, task: impl Into<String>) -> PoolOptions {
        self.initializer = Some(task.into());
        self
    }
}

handle!(
    RawPoolOptions,
    ffi::mproc_pool_opts_t,
    ffi::mproc_pool_opts_free
);
handle!(
    RawTaskOptions,
    ffi::mproc_task_opts_t,
    ffi::mproc_task_opts_free
);
handle!(
    RawMapOptions,
    ffi::mproc_map_opts_t,
    ffi::mproc_map_opts_free
);

impl PoolOptions {
    fn to_raw(&self) -> Result<RawPoolOptions> {
        // SAFETY: valid out-pointer.
        let raw = RawPoolOptions::from_nonnull(create(|o| unsafe { ffi::mproc_pool_opts_new(o) })?);
        let opts = raw.as_raw();
        // SAFETY (every call below): live options made above.
        check(unsafe { ffi::mproc_pool_opts_set_processes(opts, self.processes) })?;
        check(unsafe { ffi::mproc_pool_opts_set_maxtasksperchild(opts, self.maxtasksperchild) })?;
        if let Some(method) = self.start_method {
            check(unsafe { ffi::mproc_pool_opts_set_start_method(opts, method.to_c()) })?;
        }
        if let Some(task) = &self.initializer {
            let task = cstring("initializer", task)?;
            check(unsafe {
                ffi::mproc_pool_opts_set_initializer(opts, task.as_ptr(), std::ptr::null())
            })?;
        }
        Ok(raw)
    }
}

handle!(
    /// A pool of worker processes. Dropping a pool that was not closed
    /// terminates it (tasks not done fail with `Closed`) and waits for its
    /// workers; [`AsyncResult`]s stay usable.
    Pool,
    ffi::mproc_pool_t,
    ffi::mproc_pool_free
);

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("processes", &self.processes().ok())
            .finish()
    }
}

impl Pool {
    /// Starts the workers: every one starts, or no pool is made.
    pub fn new(opts: &PoolOptions) -> Result<Pool> {
        let raw = opts.to_raw()?;
        // SAFETY: valid out-pointer, live options.
        create(|o| unsafe { ffi::mproc_pool_new(o, raw.as_raw()) }).map(Pool::from_nonnull)
    }

    /// The number of workers.
    pub fn processes(&self) -> Result<usize> {
        // SAFETY: live handle, valid out-pointer.
        out(|n| unsafe { ffi::mproc_pool_processes(self.as_raw(), n) })
    }

    /// Submits `task` with `input`; the result comes from the returned
    /// [`AsyncResult`].
    pub fn apply_async<I: Encode + ?Sized, O: Decode>(
        &self,
        task: &str,
        input: &I,
    ) -> Result<AsyncResult<O>> {
        self.submit(task, &to_bytes(input), None)
    }

    /// As [`apply_async`](Pool::apply_async), but the task may run at most
    /// `limit` once a worker starts it: past that its worker is killed and
    /// replaced and the task fails with `TimedOut`.
    pub fn apply_async_timeout<I: Encode + ?Sized, O: Decode>(
        &self,
        task: &str,
        input: &I,
        limit: Duration,
    ) -> Result<AsyncResult<O>> {
        // SAFETY: valid out-pointer.
        let opts =
            RawTaskOptions::from_nonnull(create(|o| unsafe { ffi::mproc_task_opts_new(o) })?);
        // SAFETY: live options.
        check(unsafe { ffi::mproc_task_opts_set_timeout(opts.as_raw(), timeout_ms(Some(limit))) })?;
        self.submit(task, &to_bytes(input), Some(&opts))
    }

    fn submit<O: Decode>(
        &self,
        task: &str,
        bytes: &[u8],
        opts: Option<&RawTaskOptions>,
    ) -> Result<AsyncResult<O>> {
        let task = cstring("task name", task)?;
        let opts = opts.map_or(std::ptr::null_mut(), RawTaskOptions::as_raw);
        // SAFETY: live pool; C string; bytes readable for their length;
        // options live or NULL; valid out-pointer.
        let raw = create(|o| unsafe {
            ffi::mproc_pool_apply_async(
                self.as_raw(),
                task.as_ptr(),
                bytes.as_ptr().cast(),
                bytes.len(),
                opts,
                o,
            )
        })?;
        Ok(AsyncResult {
            raw,
            _out: PhantomData,
        })
    }

    /// Runs `task` on `input` and waits for its output.
    pub fn apply<I: Encode + ?Sized, O: Decode>(&self, task: &str, input: &I) -> Result<O> {
        self.apply_async(task, input)?.get(None)
    }

    /// Runs `task` on every input and returns the outputs in order, or the
    /// first failing item's error. Use [`imap`](Pool::imap) to see every
    /// item's own result.
    pub fn map<I: Encode, O: Decode>(&self, task: &str, inputs: &[I]) -> Result<Vec<O>> {
        self.imap(task, inputs, 0)?.collect()
    }

    /// Python's starmap: every input is a tuple of the task's arguments
    /// (tasks take one tuple value, so this is [`map`](Pool::map) over
    /// tuples, named for readers coming from Python).
    pub fn starmap<I: Encode, O: Decode>(&self, task: &str, inputs: &[I]) -> Result<Vec<O>> {
        self.map(task, inputs)
    }

    /// Results one by one, in input order, each its own `Result`.
    /// `chunksize` 0 means 1.
    pub fn imap<I: Encode, O: Decode>(
        &self,
        task: &str,
        inputs: &[I],
        chunksize: usize,
    ) -> Result<IMap<O>> {
        self.start_imap(task, inputs, chunksize, ffi::mproc_pool_imap)
    }

    /// Results as they finish, each with its input's index.
    pub fn imap_unordered<I: Encode, O: Decode>(
        &self,
        task: &str,
        inputs: &[I],
        chunksize: usize,
    ) -> Result<IMapUnordered<O>> {
        self.start_imap(task, inputs, chunksize, ffi::mproc_pool_imap_unordered)
            .map(|inner| IMapUnordered { inner })
    }

    fn start_imap<I: Encode, O: Decode>(
        &self,
        task: &str,
        inputs: &[I],
        chunksize: usize,
        start: ImapStart,
    ) -> Result<IMap<O>> {
        let task = cstring("task name", task)?;
        let encoded: Vec<Vec<u8>> = inputs.iter().map(to_bytes).collect();
        let ptrs: Vec<*const c_void> = encoded.iter().map(|b| b.as_ptr().cast()).collect();
        let lens: Vec<usize> = encoded.iter().map(Vec::len).collect();
        // SAFETY: valid out-pointer.
        let opts = RawMapOptions::from_nonnull(create(|o| unsafe { ffi::mproc_map_opts_new(o) })?);
        // SAFETY: live options.
        check(unsafe { ffi::mproc_map_opts_set_chunksize(opts.as_raw(), chunksize) })?;
        // SAFETY: live pool; the arrays hold `count` entries, each input
        // readable for its length (copied by the call); valid out-pointer.
        let raw = create(|o| unsafe {
            start(
                self.as_raw(),
                task.as_ptr(),
                ptrs.as_ptr(),
                lens.as_ptr(),
                inputs.len(),
                opts.as_raw(),
                o,
            )
        })?;
        Ok(IMap {
            raw,
            _out: PhantomData,
        })
    }

    /// No new work; the workers exit once every submitted task is done.
    /// The same as `close` in every mproc front end and in Python.
    pub fn close(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_pool_close(self.as_raw()) })
    }

    /// Kills the workers at once; tasks not done fail with `Closed`.
    pub fn terminate(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_pool_terminate(self.as_raw()) })
    }

    /// Waits, after close or terminate, for the workers to exit: `Ok(true)`
    /// once they have, `Ok(false)` if `timeout` passed first.
    pub fn join(&self, timeout: Option<Duration>) -> Result<bool> {
        // SAFETY: live handle.
        match check(unsafe { ffi::mproc_pool_join(self.as_raw(), timeout_ms(timeout)) }) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::TimedOut => Ok(false),
            Err(e) => Err(e),
        }
    }
}

type ImapStart = unsafe extern "C" fn(
    *mut ffi::mproc_pool_t,
    *const core::ffi::c_char,
    *const *const c_void,
    *const usize,
    usize,
    *const ffi::mproc_map_opts_t,
    *mut *mut ffi::mproc_imap_t,
) -> c_int;

fn decode_message<O: Decode>(msg: NonNull<ffi::mproc_msg_t>) -> Result<O> {
    from_bytes(Message::from_nonnull(msg).as_bytes())
}

/// The future of one task submitted with [`Pool::apply_async`].
pub struct AsyncResult<O> {
    raw: NonNull<ffi::mproc_future_t>,
    _out: PhantomData<fn() -> O>,
}

// SAFETY: pool.h: futures may be used from any thread.
unsafe impl<O> Send for AsyncResult<O> {}
// SAFETY: as above.
unsafe impl<O> Sync for AsyncResult<O> {}

impl<O> std::fmt::Debug for AsyncResult<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncResult")
            .field("ready", &self.ready())
            .finish()
    }
}

impl<O> AsyncResult<O> {
    /// Waits at most `timeout` (`None`: forever): `true` once the task is
    /// done, either way.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        // SAFETY: live future.
        match check(unsafe { ffi::mproc_future_wait(self.raw.as_ptr(), timeout_ms(timeout)) }) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::TimedOut => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Whether the task is done.
    pub fn ready(&self) -> bool {
        let mut ready: c_int = 0;
        // SAFETY: live future, valid out-pointer.
        unsafe { ffi::mproc_future_ready(self.raw.as_ptr(), &mut ready) == 0 && ready != 0 }
    }
}

impl<O: Decode> AsyncResult<O> {
    /// The task's output, waiting at most `timeout`: the task's own error
    /// (`TaskFailed` with its message, `WorkerDied`, `TimedOut` for its
    /// time limit, `Closed` after terminate), or `TimedOut` if the wait
    /// ran out.
    pub fn get(&self, timeout: Option<Duration>) -> Result<O> {
        // SAFETY: live future, valid out-pointer.
        let msg = create(|o| unsafe {
            ffi::mproc_future_result(self.raw.as_ptr(), o, timeout_ms(timeout))
        })?;
        decode_message(msg)
    }
}

impl<O> Drop for AsyncResult<O> {
    fn drop(&mut self) {
        // SAFETY: owned, freed once here (the task still runs).
        unsafe { ffi::mproc_future_free(self.raw.as_ptr()) }
    }
}

/// Results of [`Pool::imap`], in input order.
pub struct IMap<O> {
    raw: NonNull<ffi::mproc_imap_t>,
    _out: PhantomData<fn() -> O>,
}

// SAFETY: pool.h: iterators may be used from any thread.
unsafe impl<O> Send for IMap<O> {}

impl<O> std::fmt::Debug for IMap<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IMap")
    }
}

impl<O: Decode> IMap<O> {
    /// The next result with its input's index, waiting at most `timeout`;
    /// `None` once every result was delivered. An `Err` that carries no
    /// index is the wait running out.
    pub fn next_timeout(
        &mut self,
        timeout: Option<Duration>,
    ) -> Option<(Option<usize>, Result<O>)> {
        let mut index = usize::MAX;
        let mut msg: *mut ffi::mproc_msg_t = std::ptr::null_mut();
        // SAFETY: live iterator, valid out-pointers.
        let rc = unsafe {
            ffi::mproc_imap_next(self.raw.as_ptr(), &mut index, &mut msg, timeout_ms(timeout))
        };
        if rc == code::EOF {
            return None;
        }
        let at = (index != usize::MAX).then_some(index);
        if rc != 0 {
            return Some((at, Err(Error::last(rc))));
        }
        let result = NonNull::new(msg)
            .ok_or_else(|| Error::new(ErrorKind::Internal, "imap gave no message"))
            .and_then(decode_message);
        Some((at, result))
    }
}

impl<O: Decode> Iterator for IMap<O> {
    type Item = Result<O>;
    fn next(&mut self) -> Option<Result<O>> {
        self.next_timeout(None).map(|(_, r)| r)
    }
}

impl<O> Drop for IMap<O> {
    fn drop(&mut self) {
        // SAFETY: owned, freed once here.
        unsafe { ffi::mproc_imap_free(self.raw.as_ptr()) }
    }
}

/// Results of [`Pool::imap_unordered`]: `(input index, result)` as tasks
/// finish.
#[derive(Debug)]
pub struct IMapUnordered<O> {
    inner: IMap<O>,
}

impl<O: Decode> Iterator for IMapUnordered<O> {
    type Item = (usize, Result<O>);
    fn next(&mut self) -> Option<(usize, Result<O>)> {
        self.inner
            .next_timeout(None)
            .map(|(i, r)| (i.unwrap_or(usize::MAX), r))
    }
}
