//! Running other programs to completion with their output captured (the
//! part of Python's subprocess that multiprocessing programs need).

use core::ffi::{c_char, c_int, c_void};
use std::ffi::{CString, OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::ptr;
use std::time::Duration;

use crate::error::{check, Error, ErrorKind, Result};
use crate::ffi;
use crate::util::{create, cstring, out, timeout_ms};

/// What a finished command left: its exit status and everything it wrote.
#[derive(Clone, PartialEq, Eq)]
pub struct Output {
    /// The exit status, or -N if signal N ended the command.
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn success(&self) -> bool {
        self.status == 0
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("status", &self.status)
            .field("stdout", &String::from_utf8_lossy(&self.stdout))
            .field("stderr", &String::from_utf8_lossy(&self.stderr))
            .finish()
    }
}

/// Runs `argv` to completion and captures its stdout and stderr. `argv[0]`
/// without a '/' is searched in PATH. A program that can not be run is an
/// error (`NoSuchFile`, `PermissionDenied`, ...), not status 127.
pub fn run<S: AsRef<OsStr>>(argv: &[S]) -> Result<Output> {
    let mut argv = argv.iter();
    let program = argv.next().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidArgument,
            "a command needs at least a program",
        )
    })?;
    Command::new(program).args(argv).run()
}

#[derive(Clone, Debug)]
enum EnvChange {
    Set(OsString, OsString),
    Remove(OsString),
}

/// A command line with its environment, working directory, input and time
/// limit, run to completion by [`run`](Command::run).
#[derive(Clone, Debug)]
pub struct Command {
    argv: Vec<OsString>,
    clear_env: bool,
    env: Vec<EnvChange>,
    cwd: Option<PathBuf>,
    input: Option<Vec<u8>>,
    timeout: Option<Duration>,
}

impl Command {
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            argv: vec![program.as_ref().to_owned()],
            clear_env: false,
            env: Vec::new(),
            cwd: None,
            input: None,
            timeout: None,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Command {
        self.argv.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.argv
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets a variable in the command's environment.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Command {
        self.env.push(EnvChange::Set(
            name.as_ref().to_owned(),
            value.as_ref().to_owned(),
        ));
        self
    }

    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Command {
        self.env.push(EnvChange::Remove(name.as_ref().to_owned()));
        self
    }

    /// Starts from an empty environment instead of this process's; `env`
    /// calls add to it whatever their order.
    pub fn env_clear(mut self) -> Command {
        self.clear_env = true;
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Command {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Bytes written to the command's stdin, which is then closed. Without
    /// input, stdin is /dev/null.
    pub fn input(mut self, input: impl Into<Vec<u8>>) -> Command {
        self.input = Some(input.into());
        self
    }

    /// Kills the command (and fails with `TimedOut`) if it runs longer.
    pub fn timeout(mut self, timeout: Duration) -> Command {
        self.timeout = Some(timeout);
        self
    }

    /// Runs the command to completion, reading stdout and stderr as they
    /// come so that neither can fill its pipe and stall it.
    pub fn run(&self) -> Result<Output> {
        let argv: Vec<CString> = self
            .argv
            .iter()
            .map(|a| cstring("a command argument", a))
            .collect::<Result<_>>()?;
        let mut argv_ptrs: Vec<*const c_char> = argv.iter().map(|a| a.as_ptr()).collect();
        argv_ptrs.push(ptr::null());
        let opts = self.options()?;

        // NULL and an empty buffer differ: no input means /dev/null, empty
        // input a pipe that is closed at once.
        let (input, input_len) = match &self.input {
            Some(bytes) => (bytes.as_ptr().cast::<c_void>(), bytes.len()),
            None => (ptr::null(), 0),
        };
        // SAFETY: NULL-terminated argv of live C strings; options NULL or
        // live; input readable for its length; a valid out-pointer.
        let captured = Captured(create(|out| unsafe {
            ffi::mproc_command_capture(
                argv_ptrs.as_ptr(),
                opts.as_ref().map_or(ptr::null(), |o| o.0),
                input,
                input_len,
                timeout_ms(self.timeout),
                out,
            )
        })?);
        Ok(Output {
            // SAFETY (all three): a live result, valid out-pointers.
            status: out(|code| unsafe { ffi::mproc_capture_exitcode(captured.raw(), code) })?,
            stdout: captured.stream(ffi::mproc_capture_stdout)?,
            stderr: captured.stream(ffi::mproc_capture_stderr)?,
        })
    }

    fn options(&self) -> Result<Option<RawCommandOptions>> {
        if !self.clear_env && self.env.is_empty() && self.cwd.is_none() {
            return Ok(None);
        }
        // SAFETY: valid out-pointer.
        let raw =
            RawCommandOptions(create(|o| unsafe { ffi::mproc_command_opts_new(o) })?.as_ptr());
        // SAFETY (every call below): `raw.0` is a live options object; the
        // strings are valid and copied by the library.
        if let Some(dir) = &self.cwd {
            let dir = cstring("the working directory", dir)?;
            check(unsafe { ffi::mproc_command_opts_set_cwd(raw.0, dir.as_ptr()) })?;
        }
        if self.clear_env {
            check(unsafe { ffi::mproc_command_opts_env_clear(raw.0) })?;
        }
        for change in &self.env {
            match change {
                EnvChange::Set(name, value) => {
                    let name = cstring("a variable name", name)?;
                    let value = cstring("a variable value", value)?;
                    check(unsafe {
                        ffi::mproc_command_opts_env_set(raw.0, name.as_ptr(), value.as_ptr())
                    })?;
                }
                EnvChange::Remove(name) => {
                    let name = cstring("a variable name", name)?;
                    check(unsafe { ffi::mproc_command_opts_env_unset(raw.0, name.as_ptr()) })?;
                }
            }
        }
        Ok(Some(raw))
    }
}

struct RawCommandOptions(*mut ffi::mproc_command_opts_t);

impl Drop for RawCommandOptions {
    fn drop(&mut self) {
        // SAFETY: created by mproc_command_opts_new, freed once here.
        unsafe { ffi::mproc_command_opts_free(self.0) }
    }
}

/// The result of mproc_command_capture, freed with mproc_capture_free.
struct Captured(ptr::NonNull<ffi::mproc_capture_t>);

impl Captured {
    fn raw(&self) -> *const ffi::mproc_capture_t {
        self.0.as_ptr()
    }

    /// One stream's bytes, copied out of the result.
    fn stream(
        &self,
        query: unsafe extern "C" fn(
            *const ffi::mproc_capture_t,
            *mut *const c_char,
            *mut usize,
        ) -> c_int,
    ) -> Result<Vec<u8>> {
        let (mut data, mut len) = (ptr::null::<c_char>(), 0usize);
        // SAFETY: a live result, valid out-pointers.
        check(unsafe { query(self.raw(), &mut data, &mut len) })?;
        if data.is_null() || len == 0 {
            return Ok(Vec::new());
        }
        // SAFETY: command.h: `len` bytes (plus a NUL) owned by the result,
        // which `self` keeps alive.
        Ok(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }.to_vec())
    }
}

impl Drop for Captured {
    fn drop(&mut self) {
        // SAFETY: made by mproc_command_capture, freed once here.
        unsafe { ffi::mproc_capture_free(self.0.as_ptr()) }
    }
}
