//! Shared memory blocks (Python's shared_memory.SharedMemory, Value, Array).

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use crate::error::{Error, ErrorKind, Result};
use crate::ffi;
use crate::handle::handle;
use crate::shared::{opts_ptr, SharedOptions};
use crate::sync::{Lock, LockGuard};
use crate::util::{create, cstring, handle_name, out};

handle!(
    /// The handle of a block: the C object.
    RawShm,
    ffi::mproc_shm_t,
    ffi::mproc_shm_free
);

/// A block of zero-filled bytes that every process holding it sees at once,
/// with a lock of its own.
///
/// Other processes (and other handles on the same block in this one) can
/// write the bytes at any time, so plain slices of them are only sound
/// while everyone follows a protocol. [`locked`](SharedMemory::locked)
/// gives a safe `&mut [u8]` under the block's lock; the unsafe
/// [`as_slice`](SharedMemory::as_slice) and
/// [`as_mut_slice`](SharedMemory::as_mut_slice) leave the protocol to the
/// caller.
pub struct SharedMemory {
    raw: RawShm,
    // Made on first use and kept: `locked()` would otherwise create and
    // free a lock handle on every call.
    lock: OnceLock<Lock>,
}

impl SharedMemory {
    /// An anonymous block of `size` (at least 1) bytes.
    pub fn new(size: usize) -> Result<SharedMemory> {
        SharedMemory::with_options(size, &SharedOptions::new())
    }

    pub fn with_options(size: usize, opts: &SharedOptions) -> Result<SharedMemory> {
        let raw = opts.to_raw()?;
        // SAFETY: valid out-pointer; options NULL or live.
        let shm = create(|out| unsafe { ffi::mproc_shm_new(out, size, opts_ptr(&raw)) })?;
        Ok(SharedMemory::from_raw(RawShm::from_nonnull(shm)))
    }

    /// Opens a named block.
    pub fn open(name: &str) -> Result<SharedMemory> {
        let name = cstring("name", name)?;
        // SAFETY: valid out-pointer and C string.
        let shm = create(|out| unsafe { ffi::mproc_shm_open(out, name.as_ptr()) })?;
        Ok(SharedMemory::from_raw(RawShm::from_nonnull(shm)))
    }

    pub(crate) fn from_raw(raw: RawShm) -> SharedMemory {
        SharedMemory {
            raw,
            lock: OnceLock::new(),
        }
    }

    /// The C handle, still owned by `self`.
    pub fn as_raw(&self) -> *mut ffi::mproc_shm_t {
        self.raw.as_raw()
    }

    /// The size asked for at creation.
    pub fn len(&self) -> usize {
        // SAFETY: live handle, valid out-pointer; a live handle cannot fail.
        out(|n| unsafe { ffi::mproc_shm_size(self.as_raw(), n) }).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first byte, page-aligned; valid while `self` lives.
    pub fn as_ptr(&self) -> *mut u8 {
        let mut data: *mut core::ffi::c_void = std::ptr::null_mut();
        // SAFETY: live handle, valid out-pointer; a live handle cannot fail.
        unsafe { ffi::mproc_shm_data(self.as_raw(), &mut data) };
        data.cast::<u8>()
    }

    /// The bytes, without taking the lock.
    ///
    /// # Safety
    /// Nothing may write the block while the slice lives: no thread or
    /// process, through this handle or another.
    pub unsafe fn as_slice(&self) -> &[u8] {
        let (ptr, len) = (self.as_ptr(), self.len());
        if ptr.is_null() || len == 0 {
            return &[];
        }
        // SAFETY: shm.h: `len` bytes at `ptr`, mapped while the handle lives;
        // freedom from writers is the caller's promise.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }

    /// The bytes for writing, without taking the lock.
    ///
    /// # Safety
    /// Nothing else may read or write the block while the slice lives: no
    /// thread or process, through this handle or another.
    pub unsafe fn as_mut_slice(&mut self) -> &mut [u8] {
        let (ptr, len) = (self.as_ptr(), self.len());
        if ptr.is_null() || len == 0 {
            return &mut [];
        }
        // SAFETY: as in `as_slice`, with exclusivity promised by the caller.
        unsafe { std::slice::from_raw_parts_mut(ptr, len) }
    }

    /// The block's lock: the same lock in every process that has the block.
    pub fn lock(&self) -> Result<&Lock> {
        if let Some(lock) = self.lock.get() {
            return Ok(lock);
        }
        // SAFETY: live handle, valid out-pointer.
        let made = create(|out| unsafe { ffi::mproc_shm_lock(self.as_raw(), out) })?;
        // If another thread won the race, its lock is kept and ours dropped.
        let _ = self.lock.set(Lock::from_nonnull(made));
        self.lock
            .get()
            .ok_or_else(|| Error::new(ErrorKind::Internal, "lost the block's lock"))
    }

    /// Takes the block's lock and gives the bytes for reading and writing
    /// until the guard drops. Safe because every safe access goes through
    /// this lock, which excludes other threads and processes, and a second
    /// `locked()` on the same thread fails (`InvalidState`) rather than
    /// alias.
    pub fn locked(&self) -> Result<ShmGuard<'_>> {
        let guard = self.lock()?.lock()?;
        Ok(ShmGuard { shm: self, guard })
    }

    /// The name of a named block, "" for an anonymous one.
    pub fn name(&self) -> &str {
        // SAFETY: the string lives as long as the handle, which `self` borrows.
        unsafe { handle_name(ffi::mproc_shm_name, self.as_raw()) }
    }
}

impl fmt::Debug for SharedMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedMemory")
            .field("name", &self.name())
            .field("len", &self.len())
            .finish()
    }
}

/// The bytes of a [`SharedMemory`] with its lock held.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct ShmGuard<'a> {
    shm: &'a SharedMemory,
    guard: LockGuard<'a>,
}

impl ShmGuard<'_> {
    /// True when the previous holder died with the lock: the bytes may be
    /// half-written.
    pub fn owner_died(&self) -> bool {
        self.guard.owner_died()
    }
}

impl Deref for ShmGuard<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: the lock is held, so no safe code writes the bytes.
        unsafe { self.shm.as_slice() }
    }
}

impl DerefMut for ShmGuard<'_> {
    fn deref_mut(&mut self) -> &mut [u8] {
        let (ptr, len) = (self.shm.as_ptr(), self.shm.len());
        if ptr.is_null() || len == 0 {
            return &mut [];
        }
        // SAFETY: mapped while the handle lives; the lock is held and the
        // guard is borrowed mutably, so this is the only live view.
        unsafe { std::slice::from_raw_parts_mut(ptr, len) }
    }
}

impl fmt::Debug for ShmGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShmGuard")
            .field("len", &self.len())
            .finish()
    }
}
