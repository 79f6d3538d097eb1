//! Multi-producer, multi-consumer queues of byte messages in shared memory
//! (Python's multiprocessing Queue and JoinableQueue).

use core::ffi::c_int;
use std::fmt;
use std::time::Duration;

use crate::codec::{from_bytes, to_bytes, Decode, Encode};
use crate::error::{check, code, Error, Result};
use crate::ffi;
use crate::handle::handle;
use crate::message::Message;
use crate::shared::{Naming, SharedOptions};
use crate::util::{checked_len, create, cstring, handle_name, out, timeout_ms};

handle!(
    /// A queue of byte messages shared between processes.
    ///
    /// Would-block and timeout are errors of their own kinds, as Python's
    /// `queue.Full` and `queue.Empty`: `put` fails with
    /// [`ErrorKind::Full`](crate::ErrorKind::Full), `get` with
    /// [`ErrorKind::Empty`](crate::ErrorKind::Empty). After
    /// [`close`](Queue::close), puts fail with `Closed` and gets drain what
    /// is queued, then fail with `Closed`.
    Queue,
    ffi::mproc_queue_t,
    ffi::mproc_queue_free
);

/// How a [`Queue`] is created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueOptions {
    maxsize: Option<usize>,
    capacity: Option<usize>,
    naming: SharedOptions,
}

impl QueueOptions {
    /// Unbounded in items, 1 GiB of ring (address space, not memory),
    /// anonymous.
    pub fn new() -> QueueOptions {
        QueueOptions::default()
    }

    /// The most items the queue holds; 0 for no limit.
    pub fn maxsize(mut self, items: usize) -> QueueOptions {
        self.maxsize = Some(items);
        self
    }

    /// Bytes of ring, rounded up to a power of two, at least 4096. The
    /// largest message is a little under half of it
    /// ([`Queue::max_message`]).
    pub fn capacity(mut self, bytes: usize) -> QueueOptions {
        self.capacity = Some(bytes);
        self
    }

    /// Named with a fresh, unguessable name (read it with `Queue::name`).
    pub fn named(mut self) -> QueueOptions {
        self.naming = SharedOptions::named();
        self
    }

    /// Named `name`, for [`Queue::open`] in unrelated processes.
    pub fn name(mut self, name: impl Into<String>) -> QueueOptions {
        self.naming = SharedOptions::with_name(name);
        self
    }

    fn to_raw(&self) -> Result<RawQueueOptions> {
        // SAFETY: valid out-pointer.
        let raw =
            RawQueueOptions(create(|out| unsafe { ffi::mproc_queue_opts_new(out) })?.as_ptr());
        // SAFETY (every call below): `raw.0` is a live options object.
        if let Some(n) = self.maxsize {
            check(unsafe { ffi::mproc_queue_opts_set_maxsize(raw.0, n) })?;
        }
        if let Some(bytes) = self.capacity {
            check(unsafe { ffi::mproc_queue_opts_set_capacity(raw.0, bytes) })?;
        }
        match &self.naming.naming {
            Naming::Anonymous => {}
            Naming::Random => check(unsafe { ffi::mproc_queue_opts_set_named(raw.0, 1) })?,
            Naming::Given(name) => {
                let name = cstring("name", name)?;
                check(unsafe { ffi::mproc_queue_opts_set_name(raw.0, name.as_ptr()) })?
            }
        }
        Ok(raw)
    }
}

struct RawQueueOptions(*mut ffi::mproc_queue_opts_t);

impl Drop for RawQueueOptions {
    fn drop(&mut self) {
        // SAFETY: created by mproc_queue_opts_new, freed once here.
        unsafe { ffi::mproc_queue_opts_free(self.0) }
    }
}

impl Queue {
    /// An anonymous queue with default options.
    pub fn new() -> Result<Queue> {
        Queue::with_options(&QueueOptions::new())
    }

    pub fn with_options(opts: &QueueOptions) -> Result<Queue> {
        let raw = opts.to_raw()?;
        // SAFETY: valid out-pointer and live options.
        create(|out| unsafe { ffi::mproc_queue_new(out, raw.0) }).map(Queue::from_nonnull)
    }

    /// Opens a named queue.
    pub fn open(name: &str) -> Result<Queue> {
        let name = cstring("name", name)?;
        // SAFETY: valid out-pointer and C string.
        create(|out| unsafe { ffi::mproc_queue_open(out, name.as_ptr()) }).map(Queue::from_nonnull)
    }

    /// Puts a copy of `data`, waiting at most `timeout` (`None`: forever)
    /// for room. `Full` when there was none in time.
    pub fn put(&self, data: &[u8], timeout: Option<Duration>) -> Result<()> {
        // SAFETY: live handle; `data` is readable for its length.
        check(unsafe {
            ffi::mproc_queue_put(
                self.as_raw(),
                data.as_ptr().cast(),
                data.len(),
                timeout_ms(timeout),
            )
        })
    }

    /// Puts without waiting: `Full` if there is no room now.
    pub fn try_put(&self, data: &[u8]) -> Result<()> {
        self.put(data, Some(Duration::ZERO))
    }

    /// Takes the oldest message, waiting at most `timeout` (`None`:
    /// forever). `Empty` when nothing came in time.
    pub fn get(&self, timeout: Option<Duration>) -> Result<Message> {
        // SAFETY: live handle, valid out-pointer.
        create(|out| unsafe { ffi::mproc_queue_get(self.as_raw(), out, timeout_ms(timeout)) })
            .map(Message::from_nonnull)
    }

    /// Puts a typed value ([`Encode`]), as [`put`](Queue::put).
    pub fn put_value<T: Encode + ?Sized>(
        &self,
        value: &T,
        timeout: Option<Duration>,
    ) -> Result<()> {
        self.put(&to_bytes(value), timeout)
    }

    /// Takes a typed value ([`Decode`]), as [`get`](Queue::get): a message
    /// that is not a `T` fails with `InvalidArgument` (and is consumed).
    pub fn get_value<T: Decode>(&self, timeout: Option<Duration>) -> Result<T> {
        from_bytes(self.get(timeout)?.as_bytes())
    }

    /// Takes a message without waiting: `Empty` if there is none now.
    pub fn try_get(&self) -> Result<Message> {
        self.get(Some(Duration::ZERO))
    }

    /// Takes the oldest message into `buf` and returns its size, without
    /// allocating. When `buf` is too small the call fails with `TooBig`
    /// (the message says the size needed) and the message stays queued.
    pub fn get_into(&self, buf: &mut [u8], timeout: Option<Duration>) -> Result<usize> {
        let mut len = 0usize;
        // SAFETY: live handle; `buf` is writable for its length.
        check(unsafe {
            ffi::mproc_queue_get_into(
                self.as_raw(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut len,
                timeout_ms(timeout),
            )
        })?;
        checked_len(len, buf.len())
    }

    /// Items queued now (approximate while others put or get).
    pub fn qsize(&self) -> Result<usize> {
        // SAFETY: live handle, valid out-pointer.
        out(|n| unsafe { ffi::mproc_queue_qsize(self.as_raw(), n) })
    }

    pub fn is_empty(&self) -> Result<bool> {
        self.flag(ffi::mproc_queue_empty)
    }

    /// Whether `maxsize` items are queued (approximate).
    pub fn is_full(&self) -> Result<bool> {
        self.flag(ffi::mproc_queue_full)
    }

    /// Whether some process shut the queue down.
    pub fn is_shutdown(&self) -> Result<bool> {
        self.flag(ffi::mproc_queue_is_closed)
    }

    fn flag(
        &self,
        f: unsafe extern "C" fn(*mut ffi::mproc_queue_t, *mut c_int) -> c_int,
    ) -> Result<bool> {
        // SAFETY: live handle, valid out-pointer.
        out(|v| unsafe { f(self.as_raw(), v) }).map(|v| v != 0)
    }

    /// The item limit, 0 for none.
    pub fn maxsize(&self) -> Result<usize> {
        // SAFETY: live handle, valid out-pointer.
        out(|n| unsafe { ffi::mproc_queue_maxsize(self.as_raw(), n) })
    }

    /// Bytes of ring.
    pub fn capacity(&self) -> Result<usize> {
        // SAFETY: live handle, valid out-pointer.
        out(|n| unsafe { ffi::mproc_queue_capacity(self.as_raw(), n) })
    }

    /// The largest message a put accepts.
    pub fn max_message(&self) -> Result<usize> {
        // SAFETY: live handle, valid out-pointer.
        out(|n| unsafe { ffi::mproc_queue_max_message(self.as_raw(), n) })
    }

    /// Releases this handle (as dropping it does): `close` means the same
    /// in every mproc front end, "this process is done with the object";
    /// the queue lives on in other processes. To end the queue for every
    /// process, see [`shutdown`](Queue::shutdown).
    pub fn close(self) {
        drop(self)
    }

    /// Shuts the queue down for every process: puts fail with `Closed`,
    /// gets return what is queued and then `Closed`, and blocked puts,
    /// gets and joins wake up. Twice is harmless. (Go's `Shutdown`.)
    pub fn shutdown(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_queue_close(self.as_raw()) })
    }

    /// Marks one taken item as processed. `InvalidState` when called more
    /// often than items were taken.
    pub fn task_done(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_queue_task_done(self.as_raw()) })
    }

    /// Waits at most `timeout` (`None`: forever) until every item ever put
    /// has been marked done: `Ok(true)`, or `Ok(false)` on timeout.
    pub fn join(&self, timeout: Option<Duration>) -> Result<bool> {
        // SAFETY: live handle.
        match unsafe { ffi::mproc_queue_join(self.as_raw(), timeout_ms(timeout)) } {
            0 => Ok(true),
            code::ETIMEDOUT => Ok(false),
            rc => Err(Error::last(rc)),
        }
    }

    /// The name of a named queue, "" for an anonymous one.
    pub fn name(&self) -> &str {
        // SAFETY: the string lives as long as the handle, which `self` borrows.
        unsafe { handle_name(ffi::mproc_queue_name, self.as_raw()) }
    }
}

impl fmt::Debug for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue").field("name", &self.name()).finish()
    }
}
