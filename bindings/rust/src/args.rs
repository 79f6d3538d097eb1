//! The argument list a child's task receives: built by the parent with
//! [`Args`], read by the task through [`ArgsRef`].

use core::ffi::{c_char, c_int, CStr};
use std::fmt;
use std::marker::PhantomData;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::ptr::{self, NonNull};

use crate::error::{check, Error, ErrorKind, Result};
use crate::ffi;
use crate::pipe::Connection;
use crate::queue::Queue;
use crate::shm::{RawShm, SharedMemory};
use crate::sync::{Barrier, Condition, Event, Lock, RLock, Semaphore};
use crate::util::{create, cstring, out};

/// The type of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArgType {
    Bytes,
    Str,
    I64,
    F64,
    Fd,
    Connection,
    Lock,
    RLock,
    Semaphore,
    Event,
    Condition,
    Barrier,
    SharedMemory,
    Queue,
    SharedDict,
    SharedList,
    /// A type this binding does not know.
    Other(i32),
}

impl ArgType {
    fn from_c(t: ffi::mproc_arg_type_t) -> ArgType {
        match t {
            ffi::MPROC_ARG_BYTES => ArgType::Bytes,
            ffi::MPROC_ARG_STR => ArgType::Str,
            ffi::MPROC_ARG_I64 => ArgType::I64,
            ffi::MPROC_ARG_F64 => ArgType::F64,
            ffi::MPROC_ARG_FD => ArgType::Fd,
            ffi::MPROC_ARG_CONN => ArgType::Connection,
            ffi::MPROC_ARG_LOCK => ArgType::Lock,
            ffi::MPROC_ARG_RLOCK => ArgType::RLock,
            ffi::MPROC_ARG_SEM => ArgType::Semaphore,
            ffi::MPROC_ARG_EVENT => ArgType::Event,
            ffi::MPROC_ARG_COND => ArgType::Condition,
            ffi::MPROC_ARG_BARRIER => ArgType::Barrier,
            ffi::MPROC_ARG_SHM => ArgType::SharedMemory,
            ffi::MPROC_ARG_QUEUE => ArgType::Queue,
            crate::shared_containers::MPROC_ARG_DICT => ArgType::SharedDict,
            crate::shared_containers::MPROC_ARG_LIST => ArgType::SharedList,
            other => ArgType::Other(other),
        }
    }
}

/// An argument list being built for [`Process::new`](crate::Process::new).
/// Each `add_*` copies its value (for handles: the child gets a handle of
/// its own on the same object) and returns `&mut Self` for chaining:
///
/// ```no_run
/// # fn main() -> mproc::Result<()> {
/// let q = mproc::Queue::new()?;
/// let mut args = mproc::Args::new()?;
/// args.add_str("job-1")?.add_i64(42)?.add_queue(&q)?;
/// # Ok(()) }
/// ```
pub struct Args {
    raw: NonNull<ffi::mproc_args_t>,
}

// SAFETY: args.h: a list may be used from any one thread at a time. It is
// deliberately not Sync: adding while another thread reads is not allowed,
// and the binding does not need shared access to a list being built.
unsafe impl Send for Args {}

impl Drop for Args {
    fn drop(&mut self) {
        // SAFETY: owned by `self`; `into_raw` forgets `self` instead.
        unsafe { ffi::mproc_args_free(self.raw.as_ptr()) }
    }
}

impl Args {
    pub fn new() -> Result<Args> {
        // SAFETY: valid out-pointer.
        create(|out| unsafe { ffi::mproc_args_new(out) }).map(|raw| Args { raw })
    }

    /// Gives the list to a C function documented as taking it.
    pub(crate) fn into_raw(self) -> *mut ffi::mproc_args_t {
        let raw = self.raw.as_ptr();
        std::mem::forget(self);
        raw
    }

    pub(crate) fn add(&mut self, rc: c_int) -> Result<&mut Args> {
        check(rc)?;
        Ok(self)
    }

    pub(crate) fn p(&mut self) -> *mut ffi::mproc_args_t {
        self.raw.as_ptr()
    }

    pub fn add_bytes(&mut self, data: &[u8]) -> Result<&mut Args> {
        // SAFETY: live list (exclusively borrowed); `data` readable.
        let rc = unsafe { ffi::mproc_args_add_bytes(self.p(), data.as_ptr().cast(), data.len()) };
        self.add(rc)
    }

    /// A string; it may not contain NUL bytes.
    pub fn add_str(&mut self, s: &str) -> Result<&mut Args> {
        let s = cstring("a string argument", s)?;
        // SAFETY: live list; valid C string, copied.
        let rc = unsafe { ffi::mproc_args_add_str(self.p(), s.as_ptr()) };
        self.add(rc)
    }

    pub fn add_i64(&mut self, value: i64) -> Result<&mut Args> {
        // SAFETY: live list.
        let rc = unsafe { ffi::mproc_args_add_i64(self.p(), value) };
        self.add(rc)
    }

    pub fn add_f64(&mut self, value: f64) -> Result<&mut Args> {
        // SAFETY: live list.
        let rc = unsafe { ffi::mproc_args_add_f64(self.p(), value) };
        self.add(rc)
    }

    /// A descriptor; the list keeps a duplicate of its own.
    pub fn add_fd(&mut self, fd: impl AsFd) -> Result<&mut Args> {
        let fd = fd.as_fd().as_raw_fd();
        // SAFETY: live list; the descriptor is open (borrowed above) and
        // duplicated by the call.
        let rc = unsafe { ffi::mproc_args_add_fd(self.p(), fd) };
        self.add(rc)
    }

    pub fn add_conn(&mut self, conn: &Connection) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { ffi::mproc_args_add_conn(self.p(), conn.as_raw()) };
        self.add(rc)
    }

    pub fn add_lock(&mut self, lock: &Lock) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { ffi::mproc_args_add_lock(self.p(), lock.as_raw()) };
        self.add(rc)
    }

    pub fn add_rlock(&mut self, lock: &RLock) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { ffi::mproc_args_add_rlock(self.p(), lock.as_raw()) };
        self.add(rc)
    }

    pub fn add_semaphore(&mut self, sem: &Semaphore) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { ffi::mproc_args_add_sem(self.p(), sem.as_raw()) };
        self.add(rc)
    }

    pub fn add_event(&mut self, event: &Event) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { ffi::mproc_args_add_event(self.p(), event.as_raw()) };
        self.add(rc)
    }

    pub fn add_condition(&mut self, cond: &Condition) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { ffi::mproc_args_add_cond(self.p(), cond.as_raw()) };
        self.add(rc)
    }

    pub fn add_barrier(&mut self, barrier: &Barrier) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { ffi::mproc_args_add_barrier(self.p(), barrier.as_raw()) };
        self.add(rc)
    }

    pub fn add_shm(&mut self, shm: &SharedMemory) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { ffi::mproc_args_add_shm(self.p(), shm.as_raw()) };
        self.add(rc)
    }

    pub fn add_queue(&mut self, queue: &Queue) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { ffi::mproc_args_add_queue(self.p(), queue.as_raw()) };
        self.add(rc)
    }

    /// Reads the list as a task would.
    pub fn view(&self) -> ArgsRef<'_> {
        ArgsRef {
            raw: self.raw,
            _list: PhantomData,
        }
    }

    pub fn len(&self) -> usize {
        self.view().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}

/// A borrowed argument list, as a task receives it. Reading an argument of
/// another type fails with [`ErrorKind::WrongType`]; a missing index with
/// [`ErrorKind::OutOfRange`]. Strings and bytes borrow from the list;
/// handles are new handles owned by the caller.
#[derive(Clone, Copy)]
pub struct ArgsRef<'a> {
    raw: NonNull<ffi::mproc_args_t>,
    _list: PhantomData<&'a ffi::mproc_args_t>,
}

// SAFETY: args.h: "a list may be read from several threads at once", and
// an ArgsRef only reads; the lifetime keeps the list from being added to
// (through `&mut Args`) or freed meanwhile.
unsafe impl Send for ArgsRef<'_> {}
// SAFETY: as above.
unsafe impl Sync for ArgsRef<'_> {}

impl<'a> ArgsRef<'a> {
    /// Views a list the C library handed over, such as a task's argument.
    ///
    /// # Safety
    /// `raw` must be NULL or a valid list that is neither freed nor added
    /// to during `'a`.
    pub unsafe fn from_raw(raw: *const ffi::mproc_args_t) -> Option<ArgsRef<'a>> {
        NonNull::new(raw.cast_mut()).map(|raw| ArgsRef {
            raw,
            _list: PhantomData,
        })
    }

    pub(crate) fn p(&self) -> *const ffi::mproc_args_t {
        self.raw.as_ptr()
    }

    pub fn len(&self) -> usize {
        // SAFETY: live list, valid out-pointer; a live list cannot fail.
        out(|n| unsafe { ffi::mproc_args_count(self.p(), n) }).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn arg_type(&self, index: usize) -> Result<ArgType> {
        // SAFETY: live list, valid out-pointer.
        out(|t| unsafe { ffi::mproc_args_type(self.p(), index, t) }).map(ArgType::from_c)
    }

    pub fn get_i64(&self, index: usize) -> Result<i64> {
        // SAFETY: live list, valid out-pointer.
        out(|v| unsafe { ffi::mproc_args_get_i64(self.p(), index, v) })
    }

    pub fn get_f64(&self, index: usize) -> Result<f64> {
        // SAFETY: live list, valid out-pointer.
        out(|v| unsafe { ffi::mproc_args_get_f64(self.p(), index, v) })
    }

    pub fn get_bytes(&self, index: usize) -> Result<&'a [u8]> {
        let (mut data, mut len) = (ptr::null(), 0usize);
        // SAFETY: live list, valid out-pointers.
        check(unsafe { ffi::mproc_args_get_bytes(self.p(), index, &mut data, &mut len) })?;
        if data.is_null() || len == 0 {
            return Ok(&[]);
        }
        // SAFETY: args.h: the bytes belong to the list and stay valid while
        // it lives, which `'a` guarantees; nothing writes them.
        Ok(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) })
    }

    /// A string argument as a C string, whatever its encoding.
    pub fn get_cstr(&self, index: usize) -> Result<&'a CStr> {
        let mut s: *const c_char = ptr::null();
        // SAFETY: live list, valid out-pointer.
        check(unsafe { ffi::mproc_args_get_str(self.p(), index, &mut s) })?;
        if s.is_null() {
            return Err(Error::new(
                ErrorKind::Internal,
                "the library returned a NULL string",
            ));
        }
        // SAFETY: NUL-terminated, owned by the list, valid during `'a`.
        Ok(unsafe { CStr::from_ptr(s) })
    }

    /// A string argument; `WrongType` if it is not UTF-8.
    pub fn get_str(&self, index: usize) -> Result<&'a str> {
        self.get_cstr(index)?.to_str().map_err(|_| {
            Error::new(
                ErrorKind::WrongType,
                format!("argument {index} is not valid UTF-8"),
            )
        })
    }

    /// A descriptor owned by the list; `try_clone_to_owned` it to keep it.
    pub fn get_fd(&self, index: usize) -> Result<BorrowedFd<'a>> {
        // SAFETY: live list, valid out-pointer.
        let fd: c_int = out(|fd| unsafe { ffi::mproc_args_get_fd(self.p(), index, fd) })?;
        if fd < 0 {
            return Err(Error::new(
                ErrorKind::Internal,
                "the library returned a negative fd",
            ));
        }
        // SAFETY: open and owned by the list for as long as it lives (`'a`).
        Ok(unsafe { BorrowedFd::borrow_raw(fd) })
    }

    pub fn get_conn(&self, index: usize) -> Result<Connection> {
        // SAFETY: live list, valid out-pointer; the handle is ours.
        create(|out| unsafe { ffi::mproc_args_get_conn(self.p(), index, out) })
            .map(Connection::from_nonnull)
    }

    pub fn get_lock(&self, index: usize) -> Result<Lock> {
        // SAFETY: as for get_conn.
        create(|out| unsafe { ffi::mproc_args_get_lock(self.p(), index, out) })
            .map(Lock::from_nonnull)
    }

    pub fn get_rlock(&self, index: usize) -> Result<RLock> {
        // SAFETY: as for get_conn.
        create(|out| unsafe { ffi::mproc_args_get_rlock(self.p(), index, out) })
            .map(RLock::from_nonnull)
    }

    pub fn get_semaphore(&self, index: usize) -> Result<Semaphore> {
        // SAFETY: as for get_conn.
        create(|out| unsafe { ffi::mproc_args_get_sem(self.p(), index, out) })
            .map(Semaphore::from_nonnull)
    }

    pub fn get_event(&self, index: usize) -> Result<Event> {
        // SAFETY: as for get_conn.
        create(|out| unsafe { ffi::mproc_args_get_event(self.p(), index, out) })
            .map(Event::from_nonnull)
    }

    pub fn get_condition(&self, index: usize) -> Result<Condition> {
        // SAFETY: as for get_conn.
        create(|out| unsafe { ffi::mproc_args_get_cond(self.p(), index, out) })
            .map(Condition::from_nonnull)
    }

    pub fn get_barrier(&self, index: usize) -> Result<Barrier> {
        // SAFETY: as for get_conn.
        create(|out| unsafe { ffi::mproc_args_get_barrier(self.p(), index, out) })
            .map(Barrier::from_nonnull)
    }

    pub fn get_shm(&self, index: usize) -> Result<SharedMemory> {
        // SAFETY: as for get_conn.
        create(|out| unsafe { ffi::mproc_args_get_shm(self.p(), index, out) })
            .map(|raw| SharedMemory::from_raw(RawShm::from_nonnull(raw)))
    }

    pub fn get_queue(&self, index: usize) -> Result<Queue> {
        // SAFETY: as for get_conn.
        create(|out| unsafe { ffi::mproc_args_get_queue(self.p(), index, out) })
            .map(Queue::from_nonnull)
    }
}

impl fmt::Debug for ArgsRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for i in 0..self.len() {
            match self.arg_type(i) {
                Ok(t) => list.entry(&t),
                Err(_) => list.entry(&"?"),
            };
        }
        list.finish()
    }
}
