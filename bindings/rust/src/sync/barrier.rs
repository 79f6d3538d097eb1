use std::fmt;
use std::time::Duration;

use crate::error::{check, Result};
use crate::ffi;
use crate::handle::handle;
use crate::shared::{opts_ptr, SharedOptions};
use crate::util::{create, cstring, handle_name, out, timeout_ms};

handle!(
    /// A barrier for a fixed number of parties, shared between processes.
    Barrier,
    ffi::mproc_barrier_t,
    ffi::mproc_barrier_free
);

impl Barrier {
    /// A barrier for `parties` (at least 1) waiters.
    pub fn new(parties: u32) -> Result<Barrier> {
        Barrier::with_options(parties, &SharedOptions::new())
    }

    pub fn with_options(parties: u32, opts: &SharedOptions) -> Result<Barrier> {
        let raw = opts.to_raw()?;
        // SAFETY: valid out-pointer; options NULL or live.
        create(|out| unsafe { ffi::mproc_barrier_new(out, parties, opts_ptr(&raw)) })
            .map(Barrier::from_nonnull)
    }

    pub fn open(name: &str) -> Result<Barrier> {
        let name = cstring("name", name)?;
        // SAFETY: valid out-pointer and C string.
        create(|out| unsafe { ffi::mproc_barrier_open(out, name.as_ptr()) })
            .map(Barrier::from_nonnull)
    }

    /// Waits for all parties and returns this waiter's place in the round,
    /// 0..parties-1 in order of arrival. `Broken` when the barrier is or
    /// becomes broken; `TimedOut` when this waiter's `timeout` ran out,
    /// which breaks the barrier for everyone, as in Python.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<u32> {
        // SAFETY: live handle, valid out-pointer.
        out(|i| unsafe { ffi::mproc_barrier_wait(self.as_raw(), timeout_ms(timeout), i) })
    }

    /// Breaks the barrier: current and future waiters get `Broken`.
    pub fn abort(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_barrier_abort(self.as_raw()) })
    }

    /// Back to the initial state; current waiters get `Broken`.
    pub fn reset(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_barrier_reset(self.as_raw()) })
    }

    pub fn parties(&self) -> Result<u32> {
        // SAFETY: live handle, valid out-pointer.
        out(|n| unsafe { ffi::mproc_barrier_parties(self.as_raw(), n) })
    }

    pub fn n_waiting(&self) -> Result<u32> {
        // SAFETY: live handle, valid out-pointer.
        out(|n| unsafe { ffi::mproc_barrier_n_waiting(self.as_raw(), n) })
    }

    pub fn is_broken(&self) -> Result<bool> {
        // SAFETY: live handle, valid out-pointer.
        out(|b| unsafe { ffi::mproc_barrier_broken(self.as_raw(), b) }).map(|b| b != 0)
    }

    pub fn name(&self) -> &str {
        // SAFETY: the string lives as long as the handle, which `self` borrows.
        unsafe { handle_name(ffi::mproc_barrier_name, self.as_raw()) }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("name", &self.name())
            .finish()
    }
}
