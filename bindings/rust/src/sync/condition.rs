use std::fmt;
use std::ptr;
use std::time::{Duration, Instant};

use super::{acquired, Acquired, Lock, NotSend, RLock};
use crate::error::{check, code, Error, ErrorKind, Result};
use crate::ffi;
use crate::handle::handle;
use crate::shared::{opts_ptr, SharedOptions};
use crate::util::{create, cstring, handle_name, timeout_ms};

handle!(
    /// A condition variable shared between processes, over a lock of its
    /// own or one given at creation. Waiting and notifying need the lock,
    /// so they are methods of the [`CondGuard`] that acquiring returns.
    Condition,
    ffi::mproc_cond_t,
    ffi::mproc_cond_free
);

/// The lock a [`Condition`] is built over. The condition keeps its own
/// reference to it, so the handle passed here may be dropped afterwards.
#[derive(Clone, Copy, Debug)]
pub enum CondLock<'a> {
    /// A new RLock of the condition's own (Python's `Condition()`).
    Own,
    Lock(&'a Lock),
    RLock(&'a RLock),
}

impl Condition {
    /// A condition over an RLock of its own.
    pub fn new() -> Result<Condition> {
        Condition::with_options(CondLock::Own, &SharedOptions::new())
    }

    /// A condition over `lock`. A named condition needs a named lock, or
    /// `CondLock::Own`.
    pub fn with_options(lock: CondLock<'_>, opts: &SharedOptions) -> Result<Condition> {
        let raw = opts.to_raw()?;
        let opts = opts_ptr(&raw);
        // SAFETY: valid out-pointer; lock and options NULL or live handles.
        create(|out| unsafe {
            match lock {
                CondLock::Own => ffi::mproc_cond_new(out, ptr::null_mut(), opts),
                CondLock::Lock(l) => ffi::mproc_cond_new(out, l.as_raw(), opts),
                CondLock::RLock(l) => ffi::mproc_cond_new_rlock(out, l.as_raw(), opts),
            }
        })
        .map(Condition::from_nonnull)
    }

    /// Opens a named condition (and its lock).
    pub fn open(name: &str) -> Result<Condition> {
        let name = cstring("name", name)?;
        // SAFETY: valid out-pointer and C string.
        create(|out| unsafe { ffi::mproc_cond_open(out, name.as_ptr()) })
            .map(Condition::from_nonnull)
    }

    /// Acquires the condition's lock, waiting at most `timeout` (`None`:
    /// forever); `Ok(None)` on timeout.
    pub fn acquire(&self, timeout: Option<Duration>) -> Result<Option<CondGuard<'_>>> {
        // SAFETY: live handle.
        let rc = unsafe { ffi::mproc_cond_acquire(self.as_raw(), timeout_ms(timeout)) };
        let owner_died = match acquired(rc)? {
            Acquired::Clean => false,
            Acquired::OwnerDied => true,
            Acquired::Refused => return Ok(None),
        };
        Ok(Some(CondGuard {
            cond: self,
            owner_died,
            _not_send: Default::default(),
        }))
    }

    pub fn lock(&self) -> Result<CondGuard<'_>> {
        self.acquire(None)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                "acquire without timeout returned without the lock",
            )
        })
    }

    pub fn name(&self) -> &str {
        // SAFETY: the string lives as long as the handle, which `self` borrows.
        unsafe { handle_name(ffi::mproc_cond_name, self.as_raw()) }
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("name", &self.name())
            .finish()
    }
}

/// The held lock of a [`Condition`]; released on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct CondGuard<'a> {
    cond: &'a Condition,
    owner_died: bool,
    _not_send: NotSend,
}

impl CondGuard<'_> {
    /// Releases the lock, sleeps until notified or until `timeout` (`None`:
    /// forever), and takes the lock back before returning whatever the
    /// outcome. `Ok(true)`: notified; `Ok(false)`: timed out.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool> {
        // SAFETY: live handle; the lock is held by this thread.
        match unsafe { ffi::mproc_cond_wait(self.cond.as_raw(), timeout_ms(timeout)) } {
            0 => Ok(true),
            code::ETIMEDOUT => Ok(false),
            code::EOWNERDEAD => {
                self.owner_died = true;
                Ok(true)
            }
            rc => Err(Error::last(rc)),
        }
    }

    /// Waits until `ready()` is true, at most `timeout` in all (`None`:
    /// forever), and returns `ready()`'s last answer, as Python's
    /// `wait_for`. `ready` runs with the lock held.
    pub fn wait_for(
        &mut self,
        mut ready: impl FnMut() -> bool,
        timeout: Option<Duration>,
    ) -> Result<bool> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            if ready() {
                return Ok(true);
            }
            let left = match (timeout, deadline) {
                (None, _) => None,
                (Some(_), Some(d)) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Ok(ready()),
                },
                // A timeout too long for the clock: as good as forever.
                (Some(_), None) => None,
            };
            self.wait(left)?;
        }
    }

    /// Wakes up to `n` waiters.
    pub fn notify(&self, n: u32) -> Result<()> {
        // SAFETY: live handle; the lock is held by this thread.
        check(unsafe { ffi::mproc_cond_notify(self.cond.as_raw(), n) })
    }

    pub fn notify_all(&self) -> Result<()> {
        // SAFETY: live handle; the lock is held by this thread.
        check(unsafe { ffi::mproc_cond_notify_all(self.cond.as_raw()) })
    }

    /// True when the lock came back from an owner that died holding it.
    pub fn owner_died(&self) -> bool {
        self.owner_died
    }

    pub fn unlock(self) -> Result<()> {
        let raw = self.cond.as_raw();
        std::mem::forget(self);
        // SAFETY: live handle; held by this thread.
        check(unsafe { ffi::mproc_cond_release(raw) })
    }
}

impl Drop for CondGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: live handle; held by this thread, so release can not fail.
        let _ = unsafe { ffi::mproc_cond_release(self.cond.as_raw()) };
    }
}

impl fmt::Debug for CondGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CondGuard")
            .field("owner_died", &self.owner_died)
            .finish()
    }
}
