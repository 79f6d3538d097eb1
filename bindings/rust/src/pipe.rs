//! Message channels between processes (Python's Pipe and Connection).

use std::fmt;
use std::os::fd::RawFd;
use std::ptr;
use std::time::Duration;

use crate::codec::{from_bytes, to_bytes, Decode, Encode};
use crate::error::{check, code, Error, Result};
use crate::ffi;
use crate::handle::handle;
use crate::message::Message;
use crate::util::{checked_len, create, out, timeout_ms};

handle!(
    /// One end of a pipe. Each message arrives whole and in order. Once the
    /// peer has closed (or died) and every message sent was read, receiving
    /// fails with [`ErrorKind::Eof`](crate::ErrorKind::Eof); sending to a
    /// peer that is gone fails with `BrokenPipe`, never with SIGPIPE.
    ///
    /// Dropping the last handle on an end closes it.
    Connection,
    ffi::mproc_conn_t,
    ffi::mproc_conn_free
);

/// Makes two connected ends. With `duplex` both send and receive; without,
/// the first only receives and the second only sends (Python's
/// `Pipe(duplex=False)` order).
pub fn pipe(duplex: bool) -> Result<(Connection, Connection)> {
    let (mut a, mut b) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: two valid out-pointers.
    let rc = unsafe { ffi::mproc_conn_pipe(&mut a, &mut b, c_bool(duplex)) };
    // Own whatever came back before looking at the code, so that even a
    // half-filled pair is freed.
    let a = ptr::NonNull::new(a).map(Connection::from_nonnull);
    let b = ptr::NonNull::new(b).map(Connection::from_nonnull);
    check(rc)?;
    match (a, b) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(Error::new(
            crate::ErrorKind::Internal,
            "mproc_conn_pipe returned a NULL end",
        )),
    }
}

fn c_bool(b: bool) -> core::ffi::c_int {
    core::ffi::c_int::from(b)
}

impl Connection {
    /// Sends one message, waiting at most `timeout` (`None`: forever) for
    /// the channel to have room. On `TimedOut` nothing was sent, unless the
    /// message had been partly written: then it is lost and this end can no
    /// longer send (`InvalidState` from then on).
    pub fn send(&self, data: &[u8], timeout: Option<Duration>) -> Result<()> {
        // SAFETY: live handle; `data` is readable for its length.
        check(unsafe {
            ffi::mproc_conn_send(
                self.as_raw(),
                data.as_ptr().cast(),
                data.len(),
                timeout_ms(timeout),
            )
        })
    }

    /// Receives one message, waiting at most `timeout` (`None`: forever).
    /// Sends a typed value ([`Encode`]), as [`send`](Connection::send).
    pub fn send_value<T: Encode + ?Sized>(
        &self,
        value: &T,
        timeout: Option<Duration>,
    ) -> Result<()> {
        self.send(&to_bytes(value), timeout)
    }

    /// Receives a typed value ([`Decode`]), as [`recv`](Connection::recv):
    /// a message that is not a `T` fails with `InvalidArgument`.
    pub fn recv_value<T: Decode>(&self, timeout: Option<Duration>) -> Result<T> {
        from_bytes(self.recv(timeout)?.as_bytes())
    }

    pub fn recv(&self, timeout: Option<Duration>) -> Result<Message> {
        // SAFETY: live handle, valid out-pointer.
        create(|out| unsafe { ffi::mproc_conn_recv(self.as_raw(), out, timeout_ms(timeout)) })
            .map(Message::from_nonnull)
    }

    /// Receives one message into `buf` and returns its size. When `buf` is
    /// too small: `TooBig` (the message says the size needed), and the
    /// message stays queued for the next receive.
    pub fn recv_into(&self, buf: &mut [u8], timeout: Option<Duration>) -> Result<usize> {
        let mut len = 0usize;
        // SAFETY: live handle; `buf` is writable for its length.
        check(unsafe {
            ffi::mproc_conn_recv_into(
                self.as_raw(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut len,
                timeout_ms(timeout),
            )
        })?;
        checked_len(len, buf.len())
    }

    /// Whether a receive would not block (a message, or the end of the
    /// stream, is there), waiting at most `timeout` (`None`: forever).
    pub fn poll(&self, timeout: Option<Duration>) -> Result<bool> {
        // SAFETY: live handle.
        match unsafe { ffi::mproc_conn_poll(self.as_raw(), timeout_ms(timeout)) } {
            0 => Ok(true),
            code::ETIMEDOUT => Ok(false),
            rc => Err(Error::last(rc)),
        }
    }

    /// Closes this end now (the peer sees EOF); further use fails with
    /// `Closed`. Dropping does the same for the last handle.
    pub fn close(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_conn_close(self.as_raw()) })
    }

    /// The underlying descriptor, for an event loop: readable when `poll`
    /// would succeed. Owned by the connection; do not close it.
    pub fn fileno(&self) -> Result<RawFd> {
        // SAFETY: live handle, valid out-pointer.
        out(|fd| unsafe { ffi::mproc_conn_fileno(self.as_raw(), fd) })
    }

    pub fn is_readable(&self) -> bool {
        // SAFETY: live handle, valid out-pointer; a live handle cannot fail.
        out(|r| unsafe { ffi::mproc_conn_readable(self.as_raw(), r) }).map_or(false, |r| r != 0)
    }

    pub fn is_writable(&self) -> bool {
        // SAFETY: live handle, valid out-pointer; a live handle cannot fail.
        out(|w| unsafe { ffi::mproc_conn_writable(self.as_raw(), w) }).map_or(false, |w| w != 0)
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("readable", &self.is_readable())
            .field("writable", &self.is_writable())
            .finish()
    }
}
