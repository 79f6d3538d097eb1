//! Synchronisation between processes: Python's Lock, RLock, Semaphore,
//! BoundedSemaphore, Event, Condition and Barrier.

mod barrier;
mod condition;
mod event;
mod lock;
mod rlock;
mod semaphore;

pub use barrier::Barrier;
pub use condition::{CondGuard, CondLock, Condition};
pub use event::Event;
pub use lock::{Lock, LockGuard};
pub use rlock::{RLock, RLockGuard};
pub use semaphore::Semaphore;

use core::ffi::c_int;
use std::marker::PhantomData;

use crate::error::{code, Error, Result};

/// Outcome of an acquire call that can time out.
pub(crate) enum Acquired {
    Clean,
    /// Held, but the previous owner died holding it.
    OwnerDied,
    Refused,
}

/// Sorts an acquire's return code: a timeout, or EBUSY from a try-acquire
/// finding the lock taken, is a refusal, not an error.
pub(crate) fn acquired(rc: c_int) -> Result<Acquired> {
    match rc {
        0 => Ok(Acquired::Clean),
        code::EOWNERDEAD => Ok(Acquired::OwnerDied),
        code::ETIMEDOUT | code::EBUSY => Ok(Acquired::Refused),
        rc => Err(Error::last(rc)),
    }
}

/// Locks are owned by a thread: a guard must be released by the thread
/// that acquired it, so guards are neither Send nor Sync.
pub(crate) type NotSend = PhantomData<*const ()>;
