//! Authenticated connections between processes that did not start each
//! other (Python's `multiprocessing.connection.Listener`, `Client` and
//! `wait`), and the process's authentication key. The wire protocol is
//! Python's own: either side may be the standard library's.

use core::ffi::CStr;
use std::os::fd::RawFd;
use std::ptr;
use std::time::Duration;

use crate::error::{check, code, Error, Result};
use crate::ffi;
use crate::handle::handle;
use crate::pipe::Connection;
use crate::queue::Queue;
use crate::util::{create, cstring, out, timeout_ms};

/// This process's key: 32 random bytes in a main process, inherited by the
/// children mproc starts.
pub fn authkey() -> Result<Vec<u8>> {
    let mut len = 0usize;
    // SAFETY: cap 0 with a null buffer asks for the size.
    let rc = unsafe { ffi::mproc_authkey_get(ptr::null_mut(), 0, &mut len) };
    if rc != 0 && rc != code::ETOOBIG {
        return Err(Error::last(rc));
    }
    let mut key = vec![0u8; len];
    // SAFETY: `key` is writable for its length.
    check(unsafe { ffi::mproc_authkey_get(key.as_mut_ptr().cast(), key.len(), &mut len) })?;
    key.truncate(len);
    Ok(key)
}

/// Replaces this process's key (1 to 1024 bytes).
pub fn set_authkey(key: &[u8]) -> Result<()> {
    // SAFETY: `key` is readable for its length.
    check(unsafe { ffi::mproc_authkey_set(key.as_ptr().cast(), key.len()) })
}

handle!(
    /// Settings of a listener or a client; `NetOptions::new()` is the
    /// library's defaults (this process's key).
    NetOptions,
    ffi::mproc_net_opts_t,
    ffi::mproc_net_opts_free
);

impl NetOptions {
    pub fn new() -> Result<NetOptions> {
        // SAFETY: valid out-pointer.
        create(|o| unsafe { ffi::mproc_net_opts_new(o) }).map(NetOptions::from_nonnull)
    }

    /// The key to authenticate with instead of the process's.
    pub fn authkey(self, key: &[u8]) -> Result<NetOptions> {
        // SAFETY: live handle; `key` readable for its length.
        check(unsafe {
            ffi::mproc_net_opts_set_authkey(self.as_raw(), key.as_ptr().cast(), key.len())
        })?;
        Ok(self)
    }

    /// No handshake at all (Python's `authkey=None`).
    pub fn no_auth(self) -> Result<NetOptions> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_net_opts_set_no_auth(self.as_raw(), 1) })?;
        Ok(self)
    }

    /// How long one peer's handshake may take.
    pub fn handshake_timeout(self, timeout: Duration) -> Result<NetOptions> {
        // SAFETY: live handle.
        check(unsafe {
            ffi::mproc_net_opts_set_handshake_timeout(self.as_raw(), timeout_ms(Some(timeout)))
        })?;
        Ok(self)
    }

    /// Gathers small sends into one write of up to `bytes`.
    pub fn send_buffer(self, bytes: usize) -> Result<NetOptions> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_net_opts_set_send_buffer(self.as_raw(), bytes) })?;
        Ok(self)
    }
}

handle!(
    /// A listener (Python's `Listener`): connections that prove they hold
    /// the same key are handed out by [`accept`](Listener::accept); a peer
    /// that fails is an `Auth` error, and the listener goes on.
    Listener,
    ffi::mproc_listener_t,
    ffi::mproc_listener_free
);

impl Listener {
    /// Listens on `address` ("tcp:127.0.0.1:0", "unix:/path",
    /// "abstract:name"; `None`: a private address).
    pub fn bind(address: Option<&str>, options: Option<&NetOptions>) -> Result<Listener> {
        let text = address.map(|a| cstring("address", a)).transpose()?;
        let opts = options.map_or(ptr::null(), |o| o.as_raw() as *const _);
        // SAFETY: valid out-pointer; `text` outlives the call.
        create(|l| unsafe {
            ffi::mproc_listener_new(l, text.as_ref().map_or(ptr::null(), |t| t.as_ptr()), opts)
        })
        .map(Listener::from_nonnull)
    }

    /// The next authenticated connection, waiting at most `timeout`.
    pub fn accept(&self, timeout: Option<Duration>) -> Result<Connection> {
        // SAFETY: live handle, valid out-pointer.
        create(|c| unsafe { ffi::mproc_listener_accept(self.as_raw(), c, timeout_ms(timeout)) })
            .map(Connection::from_nonnull)
    }

    /// The address as bound ("tcp:127.0.0.1:40312").
    pub fn address(&self) -> Result<String> {
        let mut text: *const core::ffi::c_char = ptr::null();
        // SAFETY: live handle, valid out-pointer.
        check(unsafe { ffi::mproc_listener_address(self.as_raw(), &mut text) })?;
        // SAFETY: the library hands out a NUL-terminated string it keeps.
        Ok(unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned())
    }

    /// Readable while `accept` would not wait. Owned by the listener.
    pub fn fileno(&self) -> Result<RawFd> {
        // SAFETY: live handle, valid out-pointer.
        out(|fd| unsafe { ffi::mproc_listener_fileno(self.as_raw(), fd) })
    }

    pub fn close(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_listener_close(self.as_raw()) })
    }
}

/// Connects to a listener and authenticates (Python's `Client`), within
/// `timeout`.
pub fn connect(
    address: &str,
    options: Option<&NetOptions>,
    timeout: Option<Duration>,
) -> Result<Connection> {
    let text = cstring("address", address)?;
    let opts = options.map_or(ptr::null(), |o| o.as_raw() as *const _);
    // SAFETY: valid out-pointer; `text` outlives the call.
    create(|c| unsafe { ffi::mproc_conn_connect(c, text.as_ptr(), opts, timeout_ms(timeout)) })
        .map(Connection::from_nonnull)
}

handle!(
    /// Waits on many objects at once (Python's `multiprocessing.connection.wait`).
    /// The set holds its own references to what it was given.
    WaitSet,
    ffi::mproc_waitset_t,
    ffi::mproc_waitset_free
);

impl WaitSet {
    pub fn new() -> Result<WaitSet> {
        // SAFETY: valid out-pointer.
        create(|w| unsafe { ffi::mproc_waitset_new(w) }).map(WaitSet::from_nonnull)
    }

    /// Adds a connection; returns its slot.
    pub fn add_connection(&self, c: &Connection) -> Result<usize> {
        // SAFETY: live handles, valid out-pointer.
        out(|slot| unsafe { ffi::mproc_waitset_add_conn(self.as_raw(), c.as_raw(), slot) })
    }

    pub fn add_listener(&self, l: &Listener) -> Result<usize> {
        // SAFETY: live handles, valid out-pointer.
        out(|slot| unsafe { ffi::mproc_waitset_add_listener(self.as_raw(), l.as_raw(), slot) })
    }

    pub fn add_queue(&self, q: &Queue) -> Result<usize> {
        // SAFETY: live handles, valid out-pointer.
        out(|slot| unsafe { ffi::mproc_waitset_add_queue(self.as_raw(), q.as_raw(), slot) })
    }

    pub fn remove(&self, slot: usize) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_waitset_remove(self.as_raw(), slot) })
    }

    /// The ready slots in order; empty when `timeout` passed first.
    pub fn wait(&self, timeout: Option<Duration>, capacity: usize) -> Result<Vec<usize>> {
        let mut ready = vec![0usize; capacity];
        let mut count = 0usize;
        // SAFETY: live handle; `ready` writable for its length.
        match unsafe {
            ffi::mproc_waitset_wait(
                self.as_raw(),
                timeout_ms(timeout),
                ready.as_mut_ptr(),
                ready.len(),
                &mut count,
            )
        } {
            0 => {
                ready.truncate(count.min(capacity));
                Ok(ready)
            }
            code::ETIMEDOUT => Ok(Vec::new()),
            rc => Err(Error::last(rc)),
        }
    }
}

impl std::fmt::Debug for NetOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NetOptions")
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("address", &self.address().unwrap_or_default())
            .finish()
    }
}

impl std::fmt::Debug for WaitSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WaitSet")
    }
}
