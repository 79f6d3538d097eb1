//! Child processes running registered tasks (Python's
//! multiprocessing.Process), and facts about the current process.

use core::ffi::{c_char, c_int};
use std::fmt;
use std::os::fd::BorrowedFd;
use std::ptr;
use std::time::Duration;

use crate::args::Args;
use crate::error::{check, code, Error, ErrorKind, Result};
use crate::ffi;
use crate::handle::handle;
use crate::task::TaskFn;
use crate::util::{borrowed_str, create, cstring, out, timeout_ms};

/// How a child process is started, as in Python.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StartMethod {
    /// The program is executed again and enters the task through
    /// [`mproc::main()`](crate::main). Safe with threads. The default.
    Spawn,
    /// fork(2) and call the task directly: fastest, and the only method
    /// that can run an unregistered function, but unsafe when the parent
    /// runs other threads (their locks stay locked in the child).
    Fork,
    /// A single-threaded server, started once from this program, forks
    /// each child.
    Forkserver,
}

impl StartMethod {
    pub(crate) fn to_c(self) -> ffi::mproc_start_method_t {
        match self {
            StartMethod::Spawn => ffi::MPROC_START_SPAWN,
            StartMethod::Fork => ffi::MPROC_START_FORK,
            StartMethod::Forkserver => ffi::MPROC_START_FORKSERVER,
        }
    }

    /// "spawn", "fork" or "forkserver".
    pub fn name(self) -> &'static str {
        match self {
            StartMethod::Spawn => "spawn",
            StartMethod::Fork => "fork",
            StartMethod::Forkserver => "forkserver",
        }
    }
}

/// Sets the process-wide default start method.
pub fn set_start_method(method: StartMethod) -> Result<()> {
    // SAFETY: a valid method.
    check(unsafe { ffi::mproc_set_start_method(method.to_c()) })
}

/// The process-wide default start method.
pub fn start_method() -> Result<StartMethod> {
    // SAFETY: no arguments.
    match unsafe { ffi::mproc_get_start_method() } {
        ffi::MPROC_START_SPAWN => Ok(StartMethod::Spawn),
        ffi::MPROC_START_FORK => Ok(StartMethod::Fork),
        ffi::MPROC_START_FORKSERVER => Ok(StartMethod::Forkserver),
        other => Err(Error::new(
            ErrorKind::Internal,
            format!("unknown start method {other}"),
        )),
    }
}

/// Options of a [`Process`]; the defaults are Python's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessOptions {
    name: Option<String>,
    daemon: Option<bool>,
    start_method: Option<StartMethod>,
    new_group: Option<bool>,
}

impl ProcessOptions {
    pub fn new() -> ProcessOptions {
        ProcessOptions::default()
    }

    /// Default "Process-N".
    pub fn name(mut self, name: impl Into<String>) -> ProcessOptions {
        self.name = Some(name.into());
        self
    }

    /// A daemon is terminated when its parent exits (even when the parent
    /// is killed) and may not start children.
    pub fn daemon(mut self, daemon: bool) -> ProcessOptions {
        self.daemon = Some(daemon);
        self
    }

    /// Overrides the process-wide default for this process.
    pub fn start_method(mut self, method: StartMethod) -> ProcessOptions {
        self.start_method = Some(method);
        self
    }

    /// The child leads a new process group, and `terminate`/`kill` reach
    /// the whole group.
    pub fn new_group(mut self, on: bool) -> ProcessOptions {
        self.new_group = Some(on);
        self
    }

    fn to_raw(&self) -> Result<RawProcessOptions> {
        // SAFETY: valid out-pointer.
        let raw =
            RawProcessOptions(create(|o| unsafe { ffi::mproc_process_opts_new(o) })?.as_ptr());
        // SAFETY (every call below): `raw.0` is a live options object.
        if let Some(name) = &self.name {
            let name = cstring("process name", name)?;
            check(unsafe { ffi::mproc_process_opts_set_name(raw.0, name.as_ptr()) })?;
        }
        if let Some(d) = self.daemon {
            check(unsafe { ffi::mproc_process_opts_set_daemon(raw.0, c_int::from(d)) })?;
        }
        if let Some(m) = self.start_method {
            check(unsafe { ffi::mproc_process_opts_set_start_method(raw.0, m.to_c()) })?;
        }
        if let Some(g) = self.new_group {
            check(unsafe { ffi::mproc_process_opts_set_new_group(raw.0, c_int::from(g)) })?;
        }
        Ok(raw)
    }
}

struct RawProcessOptions(*mut ffi::mproc_process_opts_t);

impl Drop for RawProcessOptions {
    fn drop(&mut self) {
        // SAFETY: created by mproc_process_opts_new, freed once here.
        unsafe { ffi::mproc_process_opts_free(self.0) }
    }
}

handle!(
    /// A child process running a task. Dropping the handle does not stop
    /// the child: it goes on, is reaped in the background, and is joined
    /// (or terminated, if a daemon) when this process exits.
    Process,
    ffi::mproc_process_t,
    ffi::mproc_process_free
);

impl Process {
    /// A process that will run the task registered as `task` with `args`.
    pub fn new(task: &str, args: Args) -> Result<Process> {
        Process::with_options(task, args, &ProcessOptions::new())
    }

    pub fn with_options(task: &str, args: Args, opts: &ProcessOptions) -> Result<Process> {
        let task = cstring("task name", task)?;
        let opts = opts.to_raw()?;
        let args = args.into_raw();
        // SAFETY: valid out-pointer, C string and options; the call takes
        // `args` in every case, even on failure.
        create(|out| unsafe { ffi::mproc_process_new(out, task.as_ptr(), args, opts.0) })
            .map(Process::from_nonnull)
    }

    /// A process that will run `task` itself. Only the fork start method
    /// can run an unregistered function; under spawn and forkserver it must
    /// be registered (`start` fails with `Unsupported` otherwise).
    pub fn from_fn(task: TaskFn, args: Args, opts: &ProcessOptions) -> Result<Process> {
        let opts = opts.to_raw()?;
        let args = args.into_raw();
        // SAFETY: as in `with_options`.
        create(|out| unsafe { ffi::mproc_process_new_fn(out, Some(task), args, opts.0) })
            .map(Process::from_nonnull)
    }

    /// Starts the child. `InvalidState` if started already or if this
    /// process is a daemon; `Bootstrap` if this program did not call
    /// [`mproc::main()`](crate::main) as a spawned child, or a spawned
    /// child could not begin its task.
    pub fn start(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_process_start(self.as_raw()) })
    }

    /// Waits at most `timeout` (`None`: forever) for the child to end and
    /// returns its exit code, or `Ok(None)` if it is still running.
    pub fn join(&self, timeout: Option<Duration>) -> Result<Option<i32>> {
        // SAFETY: live handle.
        match unsafe { ffi::mproc_process_join(self.as_raw(), timeout_ms(timeout)) } {
            0 => self.exit_status().map(Some),
            code::ETIMEDOUT => Ok(None),
            rc => Err(Error::last(rc)),
        }
    }

    /// Python's exitcode: the task's return value, or -N if signal N ended
    /// the child; `None` while not started or still running.
    pub fn exitcode(&self) -> Option<i32> {
        self.exit_status().ok()
    }

    fn exit_status(&self) -> Result<i32> {
        // SAFETY: live handle, valid out-pointer.
        out(|c| unsafe { ffi::mproc_process_exitcode(self.as_raw(), c) })
    }

    /// Whether the child runs (started and not yet ended).
    pub fn is_alive(&self) -> Result<bool> {
        // SAFETY: live handle, valid out-pointer.
        out(|a| unsafe { ffi::mproc_process_is_alive(self.as_raw(), a) }).map(|a| a != 0)
    }

    /// SIGTERM to the child (to its group if it leads one). Signalling a
    /// child that already ended does nothing.
    pub fn terminate(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_process_terminate(self.as_raw()) })
    }

    /// SIGKILL, as `terminate`.
    pub fn kill(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_process_kill(self.as_raw()) })
    }

    /// The child's pid; `InvalidState` before `start`.
    pub fn pid(&self) -> Result<u32> {
        // SAFETY: live handle, valid out-pointer.
        out(|p| unsafe { ffi::mproc_process_pid(self.as_raw(), p) }).and_then(pid_u32)
    }

    pub fn name(&self) -> &str {
        let mut name: *const c_char = ptr::null();
        // SAFETY: live handle, valid out-pointer; the name lives as long as
        // the handle, which `self` borrows.
        unsafe {
            if ffi::mproc_process_name(self.as_raw(), &mut name) != 0 {
                return "";
            }
            borrowed_str(name)
        }
    }

    pub fn is_daemon(&self) -> Result<bool> {
        // SAFETY: live handle, valid out-pointer.
        out(|d| unsafe { ffi::mproc_process_daemon(self.as_raw(), d) }).map(|d| d != 0)
    }

    /// A descriptor that becomes readable when the child ends, for an event
    /// loop. Owned by the handle; `InvalidState` before `start`.
    pub fn sentinel(&self) -> Result<BorrowedFd<'_>> {
        // SAFETY: live handle, valid out-pointer.
        let fd: c_int = out(|fd| unsafe { ffi::mproc_process_sentinel(self.as_raw(), fd) })?;
        if fd < 0 {
            return Err(Error::new(
                ErrorKind::Internal,
                "the library returned a negative fd",
            ));
        }
        // SAFETY: process.h: valid until mproc_process_free, i.e. while the
        // handle lives, which the returned borrow guarantees.
        Ok(unsafe { BorrowedFd::borrow_raw(fd) })
    }
}

impl fmt::Debug for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Process")
            .field("name", &self.name())
            .field("pid", &self.pid().ok())
            .field("exitcode", &self.exitcode())
            .finish()
    }
}

fn pid_u32(pid: i64) -> Result<u32> {
    u32::try_from(pid).map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            format!("the library returned pid {pid}"),
        )
    })
}

/// "MainProcess" in a program's first process, the process's name in a
/// child.
pub fn current_process_name() -> &'static str {
    // SAFETY: process.h: static for the process's lifetime.
    unsafe { borrowed_str(ffi::mproc_current_process_name()) }
}

/// Whether this process is a daemon child.
pub fn current_process_is_daemon() -> bool {
    // SAFETY: no arguments.
    unsafe { ffi::mproc_current_process_is_daemon() != 0 }
}

/// The pid of the process that started this one through mproc (Python's
/// `parent_process().pid`), or `None` in a process mproc did not start.
pub fn parent_pid() -> Option<u32> {
    // SAFETY: no arguments.
    let pid = unsafe { ffi::mproc_parent_pid() };
    if pid == 0 {
        None
    } else {
        pid_u32(pid).ok()
    }
}

/// The pids of this process's started children (processes, not commands)
/// that still run, as Python's `active_children()`.
pub fn active_children() -> Result<Vec<u32>> {
    let mut pids: Vec<i64> = Vec::new();
    loop {
        let mut count = 0usize;
        // SAFETY: `pids` has room for `pids.len()` entries (NULL allowed at 0).
        check(unsafe { ffi::mproc_active_children(pids.as_mut_ptr(), pids.len(), &mut count) })?;
        if count <= pids.len() {
            return pids[..count].iter().map(|&p| pid_u32(p)).collect();
        }
        // Children may start between calls; leave some room.
        pids.resize(count + 8, 0);
    }
}
