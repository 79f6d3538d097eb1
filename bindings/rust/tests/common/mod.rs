//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::time::Duration;

/// Long enough never to expire on a loaded machine, short enough that a
/// broken wake-up fails the test instead of hanging it.
pub const PATIENCE: Option<Duration> = Some(Duration::from_secs(60));

/// A name for a named object, unique to this process and `tag`, that
/// removes itself from /dev/shm when dropped, even when the test fails.
pub struct TempName(pub String);

impl TempName {
    pub fn new(tag: &str) -> TempName {
        TempName(format!("mproc-rust-test-{}-{tag}", std::process::id()))
    }
}

impl Drop for TempName {
    fn drop(&mut self) {
        let _ = mproc::unlink(&self.0);
    }
}
