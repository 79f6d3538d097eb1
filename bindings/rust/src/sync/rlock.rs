use std::fmt;
use std::time::Duration;

use super::{acquired, Acquired, NotSend};
use crate::error::{check, Error, ErrorKind, Result};
use crate::ffi;
use crate::handle::handle;
use crate::shared::{opts_ptr, SharedOptions};
use crate::util::{create, cstring, handle_name, out, timeout_ms};

handle!(
    /// A re-entrant lock shared between processes: the owning thread may
    /// acquire it again, and each acquire (each [`RLockGuard`]) needs its
    /// release.
    RLock,
    ffi::mproc_rlock_t,
    ffi::mproc_rlock_free
);

impl RLock {
    pub fn new() -> Result<RLock> {
        RLock::with_options(&SharedOptions::new())
    }

    pub fn with_options(opts: &SharedOptions) -> Result<RLock> {
        let raw = opts.to_raw()?;
        // SAFETY: valid out-pointer; options NULL or live.
        create(|out| unsafe { ffi::mproc_rlock_new(out, opts_ptr(&raw)) }).map(RLock::from_nonnull)
    }

    pub fn open(name: &str) -> Result<RLock> {
        let name = cstring("name", name)?;
        // SAFETY: valid out-pointer and C string.
        create(|out| unsafe { ffi::mproc_rlock_open(out, name.as_ptr()) }).map(RLock::from_nonnull)
    }

    /// Waits at most `timeout` (`None`: forever); `Ok(None)` on timeout.
    pub fn acquire(&self, timeout: Option<Duration>) -> Result<Option<RLockGuard<'_>>> {
        // SAFETY: live handle.
        let rc = unsafe { ffi::mproc_rlock_acquire(self.as_raw(), timeout_ms(timeout)) };
        Ok(self.guard(acquired(rc)?))
    }

    pub fn lock(&self) -> Result<RLockGuard<'_>> {
        self.acquire(None)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                "acquire without timeout returned without the lock",
            )
        })
    }

    pub fn try_lock(&self) -> Result<Option<RLockGuard<'_>>> {
        // SAFETY: live handle.
        let rc = unsafe { ffi::mproc_rlock_try_acquire(self.as_raw()) };
        Ok(self.guard(acquired(rc)?))
    }

    fn guard(&self, how: Acquired) -> Option<RLockGuard<'_>> {
        let owner_died = match how {
            Acquired::Clean => false,
            Acquired::OwnerDied => true,
            Acquired::Refused => return None,
        };
        Some(RLockGuard {
            lock: self,
            owner_died,
            _not_send: Default::default(),
        })
    }

    /// How many times the calling thread holds the lock (0: not at all).
    pub fn depth(&self) -> Result<u32> {
        // SAFETY: live handle, valid out-pointer.
        out(|d| unsafe { ffi::mproc_rlock_depth(self.as_raw(), d) })
    }

    pub fn name(&self) -> &str {
        // SAFETY: the string lives as long as the handle, which `self` borrows.
        unsafe { handle_name(ffi::mproc_rlock_name, self.as_raw()) }
    }
}

impl fmt::Debug for RLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLock").field("name", &self.name()).finish()
    }
}

/// One level of an [`RLock`], released on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RLockGuard<'a> {
    lock: &'a RLock,
    owner_died: bool,
    _not_send: NotSend,
}

impl RLockGuard<'_> {
    /// True when the previous owner died holding the lock.
    pub fn owner_died(&self) -> bool {
        self.owner_died
    }

    pub fn unlock(self) -> Result<()> {
        let raw = self.lock.as_raw();
        std::mem::forget(self);
        // SAFETY: live handle; this level is held by this thread.
        check(unsafe { ffi::mproc_rlock_release(raw) })
    }
}

impl Drop for RLockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: live handle; held by this thread, so release can not fail.
        let _ = unsafe { ffi::mproc_rlock_release(self.lock.as_raw()) };
    }
}

impl fmt::Debug for RLockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLockGuard")
            .field("owner_died", &self.owner_died)
            .finish()
    }
}
