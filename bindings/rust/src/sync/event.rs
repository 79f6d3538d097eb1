use std::fmt;
use std::time::Duration;

use crate::error::{check, code, Error, Result};
use crate::ffi;
use crate::handle::handle;
use crate::shared::{opts_ptr, SharedOptions};
use crate::util::{create, cstring, handle_name, out, timeout_ms};

handle!(
    /// A flag shared between processes that threads can wait for.
    Event,
    ffi::mproc_event_t,
    ffi::mproc_event_free
);

impl Event {
    /// An anonymous event, initially clear.
    pub fn new() -> Result<Event> {
        Event::with_options(&SharedOptions::new())
    }

    pub fn with_options(opts: &SharedOptions) -> Result<Event> {
        let raw = opts.to_raw()?;
        // SAFETY: valid out-pointer; options NULL or live.
        create(|out| unsafe { ffi::mproc_event_new(out, opts_ptr(&raw)) }).map(Event::from_nonnull)
    }

    pub fn open(name: &str) -> Result<Event> {
        let name = cstring("name", name)?;
        // SAFETY: valid out-pointer and C string.
        create(|out| unsafe { ffi::mproc_event_open(out, name.as_ptr()) }).map(Event::from_nonnull)
    }

    /// Sets the flag and wakes every waiter in every process.
    pub fn set(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_event_set(self.as_raw()) })
    }

    pub fn clear(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { ffi::mproc_event_clear(self.as_raw()) })
    }

    pub fn is_set(&self) -> Result<bool> {
        // SAFETY: live handle, valid out-pointer.
        out(|s| unsafe { ffi::mproc_event_is_set(self.as_raw(), s) }).map(|s| s != 0)
    }

    /// Waits at most `timeout` (`None`: forever) for the flag: `Ok(true)`
    /// once it is set, `Ok(false)` if the time ran out first.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        // SAFETY: live handle.
        match unsafe { ffi::mproc_event_wait(self.as_raw(), timeout_ms(timeout)) } {
            0 => Ok(true),
            code::ETIMEDOUT => Ok(false),
            rc => Err(Error::last(rc)),
        }
    }

    pub fn name(&self) -> &str {
        // SAFETY: the string lives as long as the handle, which `self` borrows.
        unsafe { handle_name(ffi::mproc_event_name, self.as_raw()) }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event").field("name", &self.name()).finish()
    }
}
