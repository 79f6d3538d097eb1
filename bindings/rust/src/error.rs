//! mproc's error codes as a Rust error type.

use core::ffi::{c_char, c_int, CStr};
use std::fmt;

use crate::ffi;

/// Defines `ErrorKind`, the `code` constants and the table between them from
/// one list, so the three can not drift apart. The list mirrors
/// MPROC_ERRNO_MAP in common.h; a test checks it against the library.
macro_rules! error_codes {
    ($( $kind:ident = $name:ident ($value:literal) ),* $(,)?) => {
        /// The numeric codes of `MPROC_ERRNO_MAP`, without the `MPROC_` prefix.
        pub mod code {
            $( pub const $name: i32 = $value; )*
        }

        /// What went wrong, one variant per code of the C API.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( #[doc = concat!("`MPROC_", stringify!($name), "`")] $kind, )*
            /// A code this binding does not know.
            Other(i32),
        }

        impl ErrorKind {
            /// The kind of a C return code.
            pub fn from_code(code: i32) -> ErrorKind {
                match code {
                    $( $value => ErrorKind::$kind, )*
                    other => ErrorKind::Other(other),
                }
            }

            /// The C code of this kind.
            pub fn code(self) -> i32 {
                match self {
                    $( ErrorKind::$kind => $value, )*
                    ErrorKind::Other(code) => code,
                }
            }

            /// Every known kind, in the order of the C header.
            pub const ALL: &'static [ErrorKind] = &[$( ErrorKind::$kind, )*];

            /// The symbolic name without prefix, as `mproc_err_name` gives it.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $( ErrorKind::$kind => Some(stringify!($name)), )*
                    ErrorKind::Other(_) => None,
                }
            }
        }
    };
}

error_codes! {
    NotPermitted = EPERM(-1),
    NoSuchFile = ENOENT(-2),
    NoSuchProcess = ESRCH(-3),
    Interrupted = EINTR(-4),
    Io = EIO(-5),
    ArgumentListTooLong = E2BIG(-7),
    ExecFormat = ENOEXEC(-8),
    BadDescriptor = EBADF(-9),
    NoChildProcesses = ECHILD(-10),
    WouldBlock = EAGAIN(-11),
    OutOfMemory = ENOMEM(-12),
    PermissionDenied = EACCES(-13),
    BadAddress = EFAULT(-14),
    Busy = EBUSY(-16),
    AlreadyExists = EEXIST(-17),
    NotADirectory = ENOTDIR(-20),
    IsADirectory = EISDIR(-21),
    InvalidArgument = EINVAL(-22),
    FileTableOverflow = ENFILE(-23),
    TooManyOpenFiles = EMFILE(-24),
    NoSpace = ENOSPC(-28),
    BrokenPipe = EPIPE(-32),
    OutOfRange = ERANGE(-34),
    NameTooLong = ENAMETOOLONG(-36),
    NotImplemented = ENOSYS(-38),
    Overflow = EOVERFLOW(-75),
    Unsupported = ENOTSUP(-95),
    AddrInUse = EADDRINUSE(-98),
    ConnectionReset = ECONNRESET(-104),
    TimedOut = ETIMEDOUT(-110),
    ConnectionRefused = ECONNREFUSED(-111),
    Empty = EEMPTY(-3001),
    Full = EFULL(-3002),
    Closed = ECLOSED(-3003),
    Eof = EOF(-3004),
    InvalidState = ESTATE(-3005),
    NotFound = ENOTFOUND(-3006),
    TooBig = ETOOBIG(-3007),
    OwnerDead = EOWNERDEAD(-3008),
    WorkerDied = EWORKER(-3009),
    Broken = EBROKEN(-3010),
    Corrupt = ECORRUPT(-3011),
    WrongType = ETYPE(-3012),
    Bootstrap = EBOOTSTRAP(-3013),
    TaskFailed = ETASK(-3014),
    Auth = EAUTH(-3015),
    Internal = EINTERNAL(-3099),
}

/// A failed mproc call: its code, the code's name and the library's message.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: i32,
    name: String,
    message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

/// Copies a C string the library documents as never NULL; a NULL still
/// yields "" rather than undefined behaviour.
pub(crate) fn c_text(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: non-NULL and NUL-terminated by the C API's contract.
    unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

impl Error {
    /// The error of a call that just returned `code` on this thread. Must be
    /// called before any other mproc call, which could replace the message.
    pub(crate) fn last(code: c_int) -> Error {
        // SAFETY: both functions take no arguments and never fail.
        let (last_code, last_text) =
            unsafe { (ffi::mproc_last_error_code(), ffi::mproc_last_error()) };
        let message = if last_code == code {
            c_text(last_text)
        } else {
            String::new()
        };
        Error::with_message(code, message)
    }

    /// An error raised by the binding itself (bad input caught before C).
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::with_message(kind.code(), message.into())
    }

    fn with_message(code: i32, message: String) -> Error {
        // SAFETY: takes any int; returns a static string, never NULL.
        let name = c_text(unsafe { ffi::mproc_err_name(code) });
        let message = if message.is_empty() {
            // SAFETY: as above.
            c_text(unsafe { ffi::mproc_strerror(code) })
        } else {
            message
        };
        Error {
            code,
            name,
            message,
        }
    }

    /// The negative `MPROC_E*` code.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The code's symbolic name, e.g. `"ETIMEDOUT"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What went wrong, in the library's words.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.name, self.code, self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.code)
            .field("name", &self.name)
            .field("message", &self.message)
            .finish()
    }
}

impl std::error::Error for Error {}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        let kind = match e.kind() {
            ErrorKind::NoSuchFile | ErrorKind::NotFound => std::io::ErrorKind::NotFound,
            ErrorKind::PermissionDenied | ErrorKind::NotPermitted => {
                std::io::ErrorKind::PermissionDenied
            }
            ErrorKind::AlreadyExists => std::io::ErrorKind::AlreadyExists,
            ErrorKind::TimedOut => std::io::ErrorKind::TimedOut,
            ErrorKind::WouldBlock | ErrorKind::Busy => std::io::ErrorKind::WouldBlock,
            ErrorKind::InvalidArgument => std::io::ErrorKind::InvalidInput,
            ErrorKind::BrokenPipe => std::io::ErrorKind::BrokenPipe,
            ErrorKind::Eof => std::io::ErrorKind::UnexpectedEof,
            ErrorKind::Interrupted => std::io::ErrorKind::Interrupted,
            ErrorKind::ConnectionReset => std::io::ErrorKind::ConnectionReset,
            ErrorKind::Unsupported => std::io::ErrorKind::Unsupported,
            ErrorKind::OutOfMemory => std::io::ErrorKind::OutOfMemory,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}

/// Turns a C return code into a `Result`.
pub(crate) fn check(rc: c_int) -> Result<()> {
    match rc {
        0 => Ok(()),
        rc if rc < 0 => Err(Error::last(rc)),
        rc => Err(Error::new(
            ErrorKind::Internal,
            format!("the library returned the unexpected positive code {rc}"),
        )),
    }
}
