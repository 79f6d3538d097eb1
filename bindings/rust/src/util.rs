//! Conversions every module needs at the boundary with C.

use core::ffi::{c_char, c_int, CStr};
use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::ptr;
use std::time::Duration;

use crate::error::{check, Error, ErrorKind, Result};

/// Timeouts past this are treated as "forever": the library turns
/// milliseconds into nanoseconds on an int64 clock, so a huge finite value
/// would overflow there, and 30 years is not a timeout anyone can observe.
const MAX_FINITE_MS: u128 = 1_000_000_000_000;

/// `None` waits forever. A non-zero duration shorter than a millisecond
/// rounds up, so that it never turns into "do not block at all".
pub(crate) fn timeout_ms(timeout: Option<Duration>) -> i64 {
    let Some(d) = timeout else {
        return crate::ffi::MPROC_FOREVER;
    };
    let mut ms = d.as_millis();
    if d.subsec_nanos() % 1_000_000 != 0 {
        ms += 1;
    }
    if ms > MAX_FINITE_MS {
        crate::ffi::MPROC_FOREVER
    } else {
        ms as i64
    }
}

/// A C string for `what`, refusing interior NUL bytes (C would silently cut
/// the string short).
pub(crate) fn cstring(what: &str, s: impl AsRef<OsStr>) -> Result<CString> {
    CString::new(s.as_ref().as_bytes()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} contains a NUL byte"),
        )
    })
}

/// A library-owned name string as `&str`, borrowed from the handle that
/// owns it. Names are restricted to ASCII by the library; anything else
/// reads as "".
///
/// # Safety
/// `ptr` must be NULL or a NUL-terminated string that lives at least as
/// long as `'a`.
pub(crate) unsafe fn borrowed_str<'a>(ptr: *const c_char) -> &'a str {
    if ptr.is_null() {
        return "";
    }
    // SAFETY: forwarded from the caller.
    unsafe { CStr::from_ptr(ptr) }.to_str().unwrap_or("")
}

/// The name of a live handle through its C `*_name` query, which fills an
/// out-parameter with a string the handle owns: "" if the query fails
/// (it cannot for a live handle).
///
/// # Safety
/// `handle` must be live for at least `'a`.
pub(crate) unsafe fn handle_name<'a, T>(
    query: unsafe extern "C" fn(*const T, *mut *const c_char) -> c_int,
    handle: *const T,
) -> &'a str {
    let mut name: *const c_char = ptr::null();
    // SAFETY: live handle (the caller's promise), valid out-pointer.
    if unsafe { query(handle, &mut name) } != 0 {
        return "";
    }
    // SAFETY: the string lives as long as the handle.
    unsafe { borrowed_str(name) }
}

/// Runs a C constructor `f(&mut out)` and returns the handle it made.
pub(crate) fn create<T>(f: impl FnOnce(*mut *mut T) -> c_int) -> Result<ptr::NonNull<T>> {
    let mut out: *mut T = ptr::null_mut();
    check(f(&mut out))?;
    ptr::NonNull::new(out).ok_or_else(|| {
        Error::new(
            ErrorKind::Internal,
            "the library reported success but returned no handle",
        )
    })
}

/// Reads an out-parameter `f(&mut value)`.
pub(crate) fn out<T: Default>(f: impl FnOnce(*mut T) -> c_int) -> Result<T> {
    let mut value = T::default();
    check(f(&mut value))?;
    Ok(value)
}

/// A length the library wrote into a caller's buffer, checked against the
/// buffer's size before anyone slices with it.
pub(crate) fn checked_len(len: usize, cap: usize) -> Result<usize> {
    if len <= cap {
        Ok(len)
    } else {
        Err(Error::new(
            ErrorKind::Internal,
            format!("the library reported {len} bytes written into a buffer of {cap}"),
        ))
    }
}
