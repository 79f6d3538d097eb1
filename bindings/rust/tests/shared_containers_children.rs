//! SharedDict and SharedList handed to child processes as arguments under
//! every start method (its own main(), as spawn_task.rs says why).

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use mproc::{Args, Process, ProcessOptions, SharedDict, SharedList, StartMethod};

const PATIENCE: Option<Duration> = Some(Duration::from_secs(60));

type TestResult = Result<(), Box<dyn Error>>;

// Doubles "n" in the dict and appends "done" to the list.
mproc::task!(fn double(args) -> mproc::Result<i32> {
    let d = args.get_dict(0)?;
    let l = args.get_list(1)?;
    let n: u64 = String::from_utf8_lossy(&d.get(b"n")?.unwrap_or_default()).parse().unwrap_or(0);
    d.set(b"n", (n * 2).to_string().as_bytes())?;
    l.push(b"done")?;
    Ok(0)
});

fn run(method: StartMethod) -> TestResult {
    let d = SharedDict::new()?;
    let l = SharedList::new()?;
    d.set(b"n", b"21")?;
    let mut args = Args::new()?;
    args.add_dict(&d)?.add_list(&l)?;
    let child = Process::with_options("double", args, &ProcessOptions::new().start_method(method))?;
    child.start()?;
    if child.join(PATIENCE)? != Some(0) {
        return Err("the child failed".into());
    }
    if d.get(b"n")? != Some(b"42".to_vec()) || l.to_vec()? != vec![b"done".to_vec()] {
        return Err(format!("after the child: {:?} {:?}", d.get(b"n")?, l.to_vec()?).into());
    }
    Ok(())
}

fn main() -> ExitCode {
    if let Err(e) = mproc::register_task("double", double).and_then(|()| mproc::main()) {
        eprintln!("shared_containers_children: setup failed: {e}");
        return ExitCode::from(2);
    }
    let mut failed = 0;
    for (name, method) in [
        ("spawn", StartMethod::Spawn),
        ("fork", StartMethod::Fork),
        ("forkserver", StartMethod::Forkserver),
    ] {
        match run(method) {
            Ok(()) => println!("test children_use_them_under_{name} ... ok"),
            Err(e) => {
                failed += 1;
                println!("test children_use_them_under_{name} ... FAILED: {e}");
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
