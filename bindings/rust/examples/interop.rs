//! The Rust side of the interoperation test: opens the named queue a C
//! program made, puts COUNT messages "rust:<i>", takes COUNT messages (from
//! anyone) and prints each on its own line.
//!
//!     interop QUEUE_NAME COUNT

use std::io::Write;
use std::time::Duration;

fn main() -> mproc::Result<()> {
    let mut argv = std::env::args().skip(1);
    let (name, count) = match (argv.next(), argv.next().and_then(|c| c.parse::<usize>().ok())) {
        (Some(name), Some(count)) => (name, count),
        _ => {
            eprintln!("usage: interop QUEUE_NAME COUNT");
            std::process::exit(2);
        }
    };
    let q = mproc::Queue::open(&name)?;
    let wait = Some(Duration::from_secs(60));
    for i in 0..count {
        q.put(format!("rust:{i}").as_bytes(), wait)?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for _ in 0..count {
        let msg = q.get(wait)?;
        let _ = writeln!(out, "{}", String::from_utf8_lossy(msg.as_bytes()));
    }
    Ok(())
}
