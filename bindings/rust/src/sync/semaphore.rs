use std::fmt;
use std::time::Duration;

use crate::error::{check, code, Error, Result};
use crate::ffi;
use crate::handle::handle;
use crate::shared::{opts_ptr, SharedOptions};
use crate::util::{create, cstring, handle_name, out, timeout_ms};

handle!(
    /// A counting semaphore shared between processes; Python's Semaphore,
    /// or BoundedSemaphore when made with [`Semaphore::bounded`]. Units
    /// are not owned by a thread: any thread may release.
    Semaphore,
    ffi::mproc_sem_t,
    ffi::mproc_sem_free
);

impl Semaphore {
    /// A semaphore starting at `value`.
    pub fn new(value: u32) -> Result<Semaphore> {
        Semaphore::new_with(value, &SharedOptions::new())
    }

    /// A bounded semaphore: releasing it above `value` is an
    /// `InvalidState` error (Python's BoundedSemaphore).
    pub fn bounded(value: u32) -> Result<Semaphore> {
        Semaphore::bounded_with(value, &SharedOptions::new())
    }

    pub fn new_with(value: u32, opts: &SharedOptions) -> Result<Semaphore> {
        let raw = opts.to_raw()?;
        // SAFETY: valid out-pointer; options NULL or live.
        create(|out| unsafe { ffi::mproc_sem_new(out, value, opts_ptr(&raw)) })
            .map(Semaphore::from_nonnull)
    }

    pub fn bounded_with(value: u32, opts: &SharedOptions) -> Result<Semaphore> {
        let raw = opts.to_raw()?;
        // SAFETY: valid out-pointer; options NULL or live.
        create(|out| unsafe { ffi::mproc_sem_new_bounded(out, value, opts_ptr(&raw)) })
            .map(Semaphore::from_nonnull)
    }

    pub fn open(name: &str) -> Result<Semaphore> {
        let name = cstring("name", name)?;
        // SAFETY: valid out-pointer and C string.
        create(|out| unsafe { ffi::mproc_sem_open(out, name.as_ptr()) })
            .map(Semaphore::from_nonnull)
    }

    /// Takes one unit, waiting at most `timeout` (`None`: forever).
    /// `Ok(false)` when none came free in time.
    pub fn acquire(&self, timeout: Option<Duration>) -> Result<bool> {
        // SAFETY: live handle.
        taken(unsafe { ffi::mproc_sem_acquire(self.as_raw(), timeout_ms(timeout)) })
    }

    /// Takes one unit if one is free now.
    pub fn try_acquire(&self) -> Result<bool> {
        // SAFETY: live handle.
        taken(unsafe { ffi::mproc_sem_try_acquire(self.as_raw()) })
    }

    /// Gives one unit back.
    pub fn release(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_sem_release(self.as_raw()) })
    }

    /// The current value (a snapshot).
    pub fn value(&self) -> Result<u32> {
        // SAFETY: live handle, valid out-pointer.
        out(|v| unsafe { ffi::mproc_sem_value(self.as_raw(), v) })
    }

    pub fn name(&self) -> &str {
        // SAFETY: the string lives as long as the handle, which `self` borrows.
        unsafe { handle_name(ffi::mproc_sem_name, self.as_raw()) }
    }
}

fn taken(rc: core::ffi::c_int) -> Result<bool> {
    match rc {
        0 => Ok(true),
        code::ETIMEDOUT | code::EBUSY => Ok(false),
        rc => Err(Error::last(rc)),
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("name", &self.name())
            .finish()
    }
}
