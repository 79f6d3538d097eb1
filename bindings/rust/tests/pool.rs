//! Pool tasks written in Rust, run by the workers of a Pool under spawn
//! and fork. Its own main() (harness = false): spawned workers execute this
//! binary again and must reach mproc::main() with the tasks registered.

mod common;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use mproc::{ErrorKind, Pool, PoolOptions, StartMethod};

type TestResult = Result<(), Box<dyn Error>>;

mproc::pool_task!(
    fn square(x: i64) -> Result<i64, String> {
        x.checked_mul(x)
            .ok_or_else(|| format!("{x} squared overflows"))
    }
);

mproc::pool_task!(
    fn describe(arg: (String, u32, f64)) -> Result<(String, usize), String> {
        let (word, times, scale) = arg;
        Ok((word.repeat(times as usize), (scale * 2.0) as usize))
    }
);

mproc::pool_task!(
    fn panics(_x: i64) -> Result<i64, String> {
        std::panic::set_hook(Box::new(|_| {}));
        panic!("on purpose")
    }
);

mproc::pool_task!(
    fn never_returns(_x: ()) -> Result<(), String> {
        loop {
            std::thread::park();
        }
    }
);

fn expect_kind<T: std::fmt::Debug>(r: mproc::Result<T>, kind: ErrorKind, text: &str) -> TestResult {
    match r {
        Err(e) if e.kind() == kind && e.message().contains(text) => Ok(()),
        other => Err(format!("wanted {kind:?} mentioning {text:?}, got {other:?}").into()),
    }
}

fn pool(method: StartMethod) -> mproc::Result<Pool> {
    Pool::new(&PoolOptions::new().processes(2).start_method(method))
}

fn apply_map_and_imap(method: StartMethod) -> TestResult {
    let pool = pool(method)?;
    assert_eq!(pool.apply::<_, i64>("square", &7i64)?, 49);
    let fut = pool.apply_async::<_, i64>("square", &-3i64)?;
    assert_eq!(fut.get(Some(Duration::from_secs(60)))?, 9);
    assert!(fut.ready());
    let inputs: Vec<i64> = (0..20).collect();
    let squares: Vec<i64> = pool.map("square", &inputs)?;
    assert_eq!(squares, inputs.iter().map(|x| x * x).collect::<Vec<_>>());
    let ordered: Vec<i64> = pool
        .imap("square", &inputs, 3)?
        .collect::<mproc::Result<_>>()?;
    assert_eq!(ordered, squares);
    let mut unordered: Vec<(usize, i64)> = pool
        .imap_unordered::<_, i64>("square", &inputs, 1)?
        .map(|(i, r)| r.map(|v| (i, v)))
        .collect::<mproc::Result<_>>()?;
    unordered.sort();
    assert_eq!(
        unordered,
        squares.iter().copied().enumerate().collect::<Vec<_>>()
    );
    let tuples = vec![("ab".to_string(), 2u32, 1.5f64), ("x".to_string(), 0, 0.0)];
    let out: Vec<(String, usize)> = pool.starmap("describe", &tuples)?;
    assert_eq!(out, vec![("abab".to_string(), 3), (String::new(), 0)]);
    pool.close()?;
    assert!(pool.join(Some(Duration::from_secs(60)))?);
    Ok(())
}

fn per_task_errors_are_results() -> TestResult {
    let pool = pool(StartMethod::Spawn)?;
    expect_kind(
        pool.apply::<_, i64>("square", &i64::MAX),
        ErrorKind::TaskFailed,
        "overflows",
    )?;
    expect_kind(
        pool.apply::<_, i64>("panics", &1i64),
        ErrorKind::TaskFailed,
        "on purpose",
    )?;
    // The task decodes an i64; four bytes are not one.
    expect_kind(
        pool.apply::<_, i64>("square", &1i32),
        ErrorKind::InvalidArgument,
        "too short",
    )?;
    expect_kind(
        pool.apply::<_, i64>("no_such_task", &1i64),
        ErrorKind::NotFound,
        "",
    )?;
    // One failing item fails map, and imap shows it in its place.
    let results: Vec<mproc::Result<i64>> = pool.imap("square", &[2i64, i64::MAX, 3], 1)?.collect();
    assert_eq!(results[0].as_ref().ok(), Some(&4));
    assert_eq!(
        results[1].as_ref().map_err(|e| e.kind()).err(),
        Some(ErrorKind::TaskFailed)
    );
    assert_eq!(results[2].as_ref().ok(), Some(&9));
    expect_kind(
        pool.map::<_, i64>("square", &[1i64, i64::MAX]),
        ErrorKind::TaskFailed,
        "",
    )?;
    // The pool goes on after all of that.
    assert_eq!(pool.apply::<_, i64>("square", &5i64)?, 25);
    Ok(())
}

fn a_task_over_its_time_limit_fails_alone() -> TestResult {
    let pool = pool(StartMethod::Spawn)?;
    let slow =
        pool.apply_async_timeout::<_, ()>("never_returns", &(), Duration::from_millis(100))?;
    expect_kind(slow.get(None), ErrorKind::TimedOut, "")?;
    assert_eq!(pool.apply::<_, i64>("square", &6i64)?, 36);
    Ok(())
}

fn terminate_fails_unfinished_tasks() -> TestResult {
    let pool = pool(StartMethod::Fork)?;
    let stuck = pool.apply_async::<_, ()>("never_returns", &())?;
    assert!(!stuck.wait(Some(Duration::ZERO))?);
    pool.terminate()?;
    expect_kind(stuck.get(None), ErrorKind::Closed, "")?;
    assert!(pool.join(None)?);
    expect_kind(
        pool.apply::<_, i64>("square", &1i64),
        ErrorKind::InvalidState,
        "",
    )?;
    Ok(())
}

mproc::task!(fn init_ok(_args) { 0 });
mproc::task!(fn init_fails(_args) { 1 });

fn initializers_run_in_every_worker() -> TestResult {
    let good = PoolOptions::new().processes(2).initializer("init_ok");
    assert_eq!(Pool::new(&good)?.apply::<_, i64>("square", &3i64)?, 9);
    // A failing initializer breaks the pool: its tasks fail, none hangs.
    let bad = PoolOptions::new().processes(1).initializer("init_fails");
    let failed = Pool::new(&bad).and_then(|p| p.apply::<_, i64>("square", &3i64));
    if failed.is_ok() {
        return Err("a pool whose initializer fails ran a task".into());
    }
    // A pool task is not an initializer.
    let wrong = PoolOptions::new().initializer("square");
    expect_kind(Pool::new(&wrong), ErrorKind::WrongType, "")
}

fn main() -> ExitCode {
    let registered = [
        ("square", square as mproc::PoolTaskFn),
        ("describe", describe),
        ("panics", panics),
        ("never_returns", never_returns),
    ]
    .into_iter()
    .try_for_each(|(name, task)| mproc::register_pool_task(name, task))
    .and_then(|()| mproc::register_task("init_ok", init_ok))
    .and_then(|()| mproc::register_task("init_fails", init_fails));
    if let Err(e) = registered.and_then(|()| mproc::main()) {
        eprintln!("pool: setup failed: {e}");
        return ExitCode::from(2);
    }
    let tests: [common::NamedTest; 6] = [
        (
            "initializers_run_in_every_worker",
            initializers_run_in_every_worker,
        ),
        ("spawn_pool_applies_and_maps", || {
            apply_map_and_imap(StartMethod::Spawn)
        }),
        ("fork_pool_applies_and_maps", || {
            apply_map_and_imap(StartMethod::Fork)
        }),
        ("per_task_errors_are_results", per_task_errors_are_results),
        (
            "a_task_over_its_time_limit_fails_alone",
            a_task_over_its_time_limit_fails_alone,
        ),
        (
            "terminate_fails_unfinished_tasks",
            terminate_fails_unfinished_tasks,
        ),
    ];
    common::run_named(&tests)
}
