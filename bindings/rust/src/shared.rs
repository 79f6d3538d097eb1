//! Naming of shared objects (locks, semaphores, events, conditions,
//! barriers, shared memory), and removing names.

use std::ptr;

use crate::error::{check, Result};
use crate::ffi;
use crate::util::{create, cstring};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Naming {
    /// Reaches other processes only as a task argument; leaves nothing in
    /// /dev/shm.
    #[default]
    Anonymous,
    /// Named by the library with an unguessable name.
    Random,
    Given(String),
}

/// How a shared object is created: anonymous (the default), or named so
/// that unrelated processes can `open` it until [`unlink`] removes the name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedOptions {
    pub(crate) naming: Naming,
}

impl SharedOptions {
    /// Anonymous.
    pub fn new() -> SharedOptions {
        SharedOptions::default()
    }

    /// Named with a fresh, unguessable name (read it back with the object's
    /// `name()`).
    pub fn named() -> SharedOptions {
        SharedOptions {
            naming: Naming::Random,
        }
    }

    /// Named `name`: 1 to 200 letters, digits, '-', '_' or '.'. Creation
    /// fails with `AlreadyExists` if the name is taken.
    pub fn with_name(name: impl Into<String>) -> SharedOptions {
        SharedOptions {
            naming: Naming::Given(name.into()),
        }
    }

    /// The C options, or `None` (NULL) for anonymous objects.
    pub(crate) fn to_raw(&self) -> Result<Option<RawSharedOptions>> {
        if self.naming == Naming::Anonymous {
            return Ok(None);
        }
        // SAFETY: `out` is a valid out-pointer.
        let raw =
            RawSharedOptions(create(|out| unsafe { ffi::mproc_shared_opts_new(out) })?.as_ptr());
        match &self.naming {
            Naming::Anonymous => {}
            // SAFETY: `raw.0` is a live options object.
            Naming::Random => check(unsafe { ffi::mproc_shared_opts_set_named(raw.0, 1) })?,
            Naming::Given(name) => {
                let name = cstring("name", name)?;
                // SAFETY: as above; the name is copied by the library.
                check(unsafe { ffi::mproc_shared_opts_set_name(raw.0, name.as_ptr()) })?
            }
        }
        Ok(Some(raw))
    }
}

/// Owns a C options object for the duration of one constructor call.
pub(crate) struct RawSharedOptions(*mut ffi::mproc_shared_opts_t);

impl Drop for RawSharedOptions {
    fn drop(&mut self) {
        // SAFETY: created by mproc_shared_opts_new, freed once here.
        unsafe { ffi::mproc_shared_opts_free(self.0) }
    }
}

/// The options pointer a constructor takes: NULL for anonymous objects.
pub(crate) fn opts_ptr(raw: &Option<RawSharedOptions>) -> *const ffi::mproc_shared_opts_t {
    raw.as_ref().map_or(ptr::null(), |r| r.0)
}

/// Removes a named object's name (of any kind, queues included): processes
/// that have it open keep using it, nobody can open it any more, and its
/// memory goes with its last user.
pub fn unlink(name: &str) -> Result<()> {
    let name = cstring("name", name)?;
    // SAFETY: a valid C string.
    check(unsafe { ffi::mproc_unlink(name.as_ptr()) })
}
