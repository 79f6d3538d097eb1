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

/// One test of a target with its own main() (harness = false).
pub type NamedTest = (&'static str, fn() -> Result<(), Box<dyn std::error::Error>>);

/// Runs the tests of a harness-less target as libtest would: arguments
/// that are not flags select tests by substring; a test fails by returning
/// an error or by panicking; the summary line and exit status follow.
pub fn run_named(tests: &[NamedTest]) -> std::process::ExitCode {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (mut ran, mut failed) = (0, 0);
    for &(name, test) in tests {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        match std::panic::catch_unwind(test) {
            Ok(Ok(())) => println!("test {name} ... ok"),
            Ok(Err(e)) => {
                failed += 1;
                println!("test {name} ... FAILED: {e}");
            }
            Err(_) => {
                failed += 1;
                println!("test {name} ... FAILED (panicked)");
            }
        }
    }
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {} passed; {failed} failed",
        ran - failed
    );
    if failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
