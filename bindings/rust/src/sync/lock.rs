use std::fmt;
use std::time::Duration;

use super::{acquired, Acquired, NotSend};
use crate::error::{check, Error, ErrorKind, Result};
use crate::ffi;
use crate::handle::handle;
use crate::shared::{opts_ptr, SharedOptions};
use crate::util::{create, cstring, handle_name, out, timeout_ms};

handle!(
    /// A non-recursive lock shared between processes, owned by the thread
    /// that acquires it. Acquiring returns a [`LockGuard`] that releases on
    /// drop.
    Lock,
    ffi::mproc_lock_t,
    ffi::mproc_lock_free
);

impl Lock {
    /// An anonymous lock.
    pub fn new() -> Result<Lock> {
        Lock::with_options(&SharedOptions::new())
    }

    pub fn with_options(opts: &SharedOptions) -> Result<Lock> {
        let raw = opts.to_raw()?;
        // SAFETY: valid out-pointer; options NULL or live.
        create(|out| unsafe { ffi::mproc_lock_new(out, opts_ptr(&raw)) }).map(Lock::from_nonnull)
    }

    /// Opens a named lock.
    pub fn open(name: &str) -> Result<Lock> {
        let name = cstring("name", name)?;
        // SAFETY: valid out-pointer and C string.
        create(|out| unsafe { ffi::mproc_lock_open(out, name.as_ptr()) }).map(Lock::from_nonnull)
    }

    /// Waits at most `timeout` (`None`: forever) for the lock. `Ok(None)`
    /// when the time ran out. Acquiring a lock this thread already holds is
    /// an `InvalidState` error, since it would wait for itself forever.
    pub fn acquire(&self, timeout: Option<Duration>) -> Result<Option<LockGuard<'_>>> {
        // SAFETY: live handle.
        let rc = unsafe { ffi::mproc_lock_acquire(self.as_raw(), timeout_ms(timeout)) };
        Ok(self.guard(acquired(rc)?))
    }

    /// Waits for the lock as long as it takes.
    pub fn lock(&self) -> Result<LockGuard<'_>> {
        self.acquire(None)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                "acquire without timeout returned without the lock",
            )
        })
    }

    /// Takes the lock only if it is free now.
    pub fn try_lock(&self) -> Result<Option<LockGuard<'_>>> {
        // SAFETY: live handle.
        let rc = unsafe { ffi::mproc_lock_try_acquire(self.as_raw()) };
        Ok(self.guard(acquired(rc)?))
    }

    fn guard(&self, how: Acquired) -> Option<LockGuard<'_>> {
        let owner_died = match how {
            Acquired::Clean => false,
            Acquired::OwnerDied => true,
            Acquired::Refused => return None,
        };
        Some(LockGuard {
            lock: self,
            owner_died,
            _not_send: Default::default(),
        })
    }

    /// Whether some thread, in any process, holds the lock (a snapshot).
    pub fn is_locked(&self) -> Result<bool> {
        // SAFETY: live handle, valid out-pointer.
        out(|locked| unsafe { ffi::mproc_lock_is_locked(self.as_raw(), locked) }).map(|l| l != 0)
    }

    /// The name of a named lock, "" for an anonymous one.
    pub fn name(&self) -> &str {
        // SAFETY: the string lives as long as the handle, which `self` borrows.
        unsafe { handle_name(ffi::mproc_lock_name, self.as_raw()) }
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock").field("name", &self.name()).finish()
    }
}

/// Holds a [`Lock`] until dropped (or [`unlock`](LockGuard::unlock)ed).
///
/// The lock belongs to the thread that took it, so the guard can not move
/// to another thread:
///
/// ```compile_fail,E0277
/// fn needs_send<T: Send>(_: T) {}
/// let lock = mproc::Lock::new().unwrap();
/// needs_send(lock.lock().unwrap());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
    owner_died: bool,
    _not_send: NotSend,
}

impl LockGuard<'_> {
    /// True when the previous owner died holding the lock: the lock is
    /// held all the same, but the data it guards may need repair.
    pub fn owner_died(&self) -> bool {
        self.owner_died
    }

    /// Releases now, reporting a failure that dropping would ignore.
    pub fn unlock(self) -> Result<()> {
        let raw = self.lock.as_raw();
        std::mem::forget(self);
        // SAFETY: live handle (the guard borrowed it); held by this thread.
        check(unsafe { ffi::mproc_lock_release(raw) })
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        // The only failure is "not held by this thread", which the guard's
        // existence on this thread rules out.
        // SAFETY: live handle.
        let _ = unsafe { ffi::mproc_lock_release(self.lock.as_raw()) };
    }
}

impl fmt::Debug for LockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard")
            .field("owner_died", &self.owner_died)
            .finish()
    }
}
