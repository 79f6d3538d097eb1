//! Tasks: functions a child process runs, registered by name, and the
//! entry point through which a spawned child reaches them.

use core::ffi::{c_char, c_int};
use std::ffi::CString;
use std::fmt::Display;
use std::io::Write;
use std::os::unix::ffi::OsStringExt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::args::ArgsRef;
use crate::error::{check, Error, ErrorKind, Result};
use crate::ffi;
use crate::util::cstring;

/// The C signature of a task. [`task!`](crate::task) writes one from a
/// closure-like body; any `extern "C" fn` of this shape works too.
pub type TaskFn = unsafe extern "C" fn(args: *const ffi::mproc_args_t) -> c_int;

/// Exit status of a child whose task panicked, as Rust's own for a
/// panicking `main`.
pub const PANIC_EXIT_CODE: i32 = 101;

/// Registers `task` under `name`, so that `Process::new(name, ...)` can
/// run it. Under the spawn and forkserver start methods the child looks
/// the name up again after re-executing the program, so every program that
/// starts processes must register its tasks in `main()` before
/// [`mproc::main()`](crate::main). Registering the same function under the
/// same name twice is harmless; `AlreadyExists` when the name belongs to
/// another function (process tasks and the C library's pool tasks share
/// one namespace).
pub fn register_task(name: &str, task: TaskFn) -> Result<()> {
    let name = cstring("task name", name)?;
    // SAFETY: valid C string (copied); a valid function pointer.
    check(unsafe { ffi::mproc_task_register(name.as_ptr(), Some(task), None) })
}

/// Call first thing in `main()`, right after registering tasks: in the
/// parent it returns `Ok(())` at once; in a child started by spawn or
/// forkserver it runs the requested task (or serves as the forkserver) and
/// exits the process instead of returning. An error means this process was
/// started by mproc but could not read its orders; it should exit.
pub fn main() -> Result<()> {
    let mut argv: Vec<*mut c_char> = std::env::args_os()
        .filter_map(|a| CString::new(a.into_vec()).ok())
        // mproc.h does not say that mproc_main copies argv, so the strings
        // and the array are leaked: a few bytes, once per process.
        .map(CString::into_raw)
        .collect();
    let argc = c_int::try_from(argv.len())
        .map_err(|_| Error::new(ErrorKind::ArgumentListTooLong, "too many arguments"))?;
    argv.push(std::ptr::null_mut());
    let argv = Box::leak(argv.into_boxed_slice());
    // SAFETY: argc strings followed by NULL, valid for the process's life.
    check(unsafe { ffi::mproc_main(argc, argv.as_mut_ptr()) })
}

/// What a task's body may return: its exit status (0..255).
pub trait TaskExit {
    fn exit_code(self) -> i32;
}

impl TaskExit for i32 {
    fn exit_code(self) -> i32 {
        self
    }
}

impl TaskExit for u8 {
    fn exit_code(self) -> i32 {
        i32::from(self)
    }
}

impl TaskExit for () {
    fn exit_code(self) -> i32 {
        0
    }
}

/// `Err` prints the error on stderr and exits with status 1.
impl<T: TaskExit, E: Display> TaskExit for std::result::Result<T, E> {
    fn exit_code(self) -> i32 {
        match self {
            Ok(v) => v.exit_code(),
            Err(e) => {
                eprintln!("mproc task failed: {e}");
                1
            }
        }
    }
}

/// Runs a task body on the argument list the library passed in: the body
/// gets a safe [`ArgsRef`], a panic becomes exit status
/// [`PANIC_EXIT_CODE`] instead of unwinding into C, and stdout is flushed
/// because the child ends through C's `exit`, which does not flush Rust's
/// buffers. [`task!`](crate::task) calls this; call it yourself when
/// writing a [`TaskFn`] by hand.
///
/// # Safety
/// `args` must be NULL or a live argument list that stays unchanged while
/// the body runs, as the library guarantees to a task it calls.
pub unsafe fn run_task<R, F>(args: *const ffi::mproc_args_t, body: F) -> c_int
where
    R: TaskExit,
    F: FnOnce(ArgsRef<'_>) -> R,
{
    // SAFETY: forwarded from the caller.
    let code = match unsafe { ArgsRef::from_raw(args) } {
        Some(args) => match catch_unwind(AssertUnwindSafe(|| body(args))) {
            Ok(r) => r.exit_code(),
            Err(_) => PANIC_EXIT_CODE,
        },
        None => {
            eprintln!("mproc task called without an argument list");
            255
        }
    };
    let _ = std::io::stdout().flush();
    code
}

/// Defines a task: an `unsafe extern "C" fn` with the [`TaskFn`] signature
/// whose body sees the child's arguments as an [`ArgsRef`]. The body
/// returns an exit status (`i32`, `u8` or `()`), or, with an explicit
/// return type, a `Result` of one (an `Err` is printed and exits with 1).
///
/// ```no_run
/// mproc::task!(fn greet(args) -> mproc::Result<i32> {
///     let who = args.get_str(0)?;
///     args.get_queue(1)?.put(format!("hello, {who}").as_bytes(), None)?;
///     Ok(0)
/// });
///
/// fn main() -> mproc::Result<()> {
///     mproc::register_task("greet", greet)?;
///     mproc::main()?;
///     // ... start processes that run "greet"
///     Ok(())
/// }
/// ```
///
/// The body is safe code even though the generated function is not:
///
/// ```compile_fail,E0133
/// unsafe fn danger() -> i32 { 0 }
/// mproc::task!(fn sneaky(_args) { danger() });
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! task {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($args:ident) -> $ret:ty $body:block) => {
        $(#[$meta])*
        $vis unsafe extern "C" fn $name(
            raw: *const $crate::ffi::mproc_args_t,
        ) -> ::core::ffi::c_int {
            // A nested item, not a closure: the body of an `unsafe fn` is
            // an unsafe context (in edition 2021), and the task's code
            // must not silently become unsafe code.
            fn body($args: $crate::ArgsRef<'_>) -> $ret $body
            // SAFETY: the library calls a task with the child's live list.
            unsafe { $crate::run_task(raw, body) }
        }
    };
    ($(#[$meta:meta])* $vis:vis fn $name:ident($args:ident) $body:block) => {
        $crate::task!($(#[$meta])* $vis fn $name($args) -> i32 $body);
    };
}
