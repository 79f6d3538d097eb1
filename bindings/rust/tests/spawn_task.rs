//! Tasks written in Rust, run in child processes under every start method.
//!
//! This target has its own main() (harness = false): a spawned child
//! executes this same binary again, and must reach mproc::main() -- with its
//! tasks registered -- before anything else happens. Under libtest the child
//! would run the whole test suite instead.

mod common;

use core::ffi::c_int;
use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use mproc::{Args, ErrorKind, Event, Process, ProcessOptions, Queue, QueueOptions, StartMethod};

const PATIENCE: Option<Duration> = Some(Duration::from_secs(60));
const GREET_EXIT: i32 = 7;
const PIPE_EXIT: i32 = 5;

type TestResult = Result<(), Box<dyn Error>>;
type Test = common::NamedTest;

mproc::task!(fn greet(args) -> mproc::Result<i32> {
    let queue = args.get_queue(0)?;
    let who = args.get_str(1)?;
    let n = args.get_i64(2)?;
    // A read of the wrong type is an error the task can see, not a crash.
    if args.get_i64(1).map_err(|e| e.kind()) != Err(ErrorKind::WrongType) {
        return Ok(3);
    }
    let parent = mproc::parent_pid().unwrap_or(0);
    let text = format!("{who} {} {} {parent}", n * 2, std::process::id());
    queue.put(text.as_bytes(), PATIENCE)?;
    Ok(GREET_EXIT)
});

mproc::task!(fn put_by_name(args) -> mproc::Result<i32> {
    let queue = Queue::open(args.get_str(0)?)?;
    queue.put(mproc::current_process_name().as_bytes(), PATIENCE)?;
    Ok(0)
});

mproc::task!(fn block_until_signalled(args) -> mproc::Result<i32> {
    args.get_event(0)?.set()?;
    // Nobody sets this one: the parent ends the child with a signal.
    args.get_event(1)?.wait(None)?;
    Ok(0)
});

mproc::task!(fn panic_quietly(_args) {
    std::panic::set_hook(Box::new(|_| {}));
    panic!("this task panics on purpose");
});

/// A task written without the macro and never registered: only the fork
/// start method can run it.
unsafe extern "C" fn reply_on_pipe(raw: *const mproc::ffi::mproc_args_t) -> c_int {
    // SAFETY: the library calls a task with the child's live list.
    unsafe {
        mproc::run_task(raw, |args| -> mproc::Result<i32> {
            let conn = args.get_conn(0)?;
            conn.send(b"pong", PATIENCE)?;
            Ok(PIPE_EXIT)
        })
    }
}

fn main() -> ExitCode {
    let registered = [
        ("greet", greet as mproc::TaskFn),
        ("put_by_name", put_by_name),
        ("block_until_signalled", block_until_signalled),
        ("panic_quietly", panic_quietly),
    ]
    .into_iter()
    .try_for_each(|(name, task)| mproc::register_task(name, task));
    if let Err(e) = registered.and_then(|()| mproc::main()) {
        eprintln!("spawn_task: setup failed: {e}");
        return ExitCode::from(2);
    }

    let tests: [Test; 9] = [
        ("spawn_child_puts_into_an_anonymous_queue", || {
            greet_via(StartMethod::Spawn)
        }),
        ("fork_child_puts_into_an_anonymous_queue", || {
            greet_via(StartMethod::Fork)
        }),
        ("forkserver_child_puts_into_an_anonymous_queue", || {
            greet_via(StartMethod::Forkserver)
        }),
        (
            "spawn_child_opens_a_named_queue",
            spawn_child_opens_a_named_queue,
        ),
        (
            "fork_runs_an_unregistered_function_with_a_pipe",
            fork_runs_an_unregistered_function,
        ),
        (
            "spawn_refuses_an_unregistered_function",
            spawn_refuses_an_unregistered_function,
        ),
        (
            "terminate_and_kill_end_a_blocked_child",
            terminate_and_kill_end_a_blocked_child,
        ),
        (
            "a_panicking_task_exits_with_101",
            a_panicking_task_exits_with_101,
        ),
        ("no_children_are_left_running", no_children_are_left_running),
    ];
    common::run_named(&tests)
}

fn ensure(ok: bool, what: impl Into<String>) -> TestResult {
    if ok {
        Ok(())
    } else {
        Err(what.into().into())
    }
}

fn options(method: StartMethod) -> ProcessOptions {
    ProcessOptions::new().start_method(method)
}

fn greet_via(method: StartMethod) -> TestResult {
    let queue = Queue::new()?;
    let mut args = Args::new()?;
    args.add_queue(&queue)?
        .add_str(method.name())?
        .add_i64(21)?;
    let child = Process::with_options("greet", args, &options(method))?;
    ensure(child.exitcode().is_none(), "exit code before start")?;
    child.start()?;
    let pid = child.pid()?;

    let msg = queue.get(PATIENCE)?;
    let text = msg.to_str().ok_or("message is not UTF-8")?;
    let expected = format!("{} 42 {pid} {}", method.name(), std::process::id());
    ensure(
        text == expected,
        format!("child sent {text:?}, expected {expected:?}"),
    )?;

    let code = child.join(PATIENCE)?;
    ensure(code == Some(GREET_EXIT), format!("exit code {code:?}"))?;
    ensure(
        child.exitcode() == Some(GREET_EXIT),
        "exitcode() after join",
    )?;
    ensure(!child.is_alive()?, "alive after join")?;
    Ok(())
}

fn spawn_child_opens_a_named_queue() -> TestResult {
    let name = format!("mproc-rust-test-{}-spawn-queue", std::process::id());
    let queue = Queue::with_options(&QueueOptions::new().name(name.clone()))?;
    let result = (|| -> TestResult {
        let mut args = Args::new()?;
        args.add_str(&name)?;
        let opts = options(StartMethod::Spawn).name("named-queue-child");
        let child = Process::with_options("put_by_name", args, &opts)?;
        ensure(
            child.name() == "named-queue-child",
            format!("name {:?}", child.name()),
        )?;
        child.start()?;
        let msg = queue.get(PATIENCE)?;
        ensure(
            msg.as_bytes() == b"named-queue-child",
            format!("child sent {msg:?}"),
        )?;
        ensure(child.join(PATIENCE)? == Some(0), "exit code")
    })();
    mproc::unlink(&name)?;
    ensure(
        Queue::open(&name).map_err(|e| e.kind()).err() == Some(ErrorKind::NoSuchFile),
        "the name outlived unlink",
    )?;
    result
}

fn fork_runs_an_unregistered_function() -> TestResult {
    let (ours, theirs) = mproc::pipe(true)?;
    let mut args = Args::new()?;
    args.add_conn(&theirs)?;
    let child = Process::from_fn(reply_on_pipe, args, &options(StartMethod::Fork))?;
    child.start()?;
    // Only the child may hold the other end now, so that its exit is EOF.
    drop(theirs);
    let msg = ours.recv(PATIENCE)?;
    ensure(msg.as_bytes() == b"pong", format!("child sent {msg:?}"))?;
    ensure(child.join(PATIENCE)? == Some(PIPE_EXIT), "exit code")?;
    let after = ours.recv(PATIENCE).map_err(|e| e.kind()).err();
    ensure(
        after == Some(ErrorKind::Eof),
        format!("after the child ended: {after:?}"),
    )
}

fn spawn_refuses_an_unregistered_function() -> TestResult {
    let child = Process::from_fn(reply_on_pipe, Args::new()?, &options(StartMethod::Spawn))?;
    let err = child
        .start()
        .err()
        .ok_or("started an unregistered function under spawn")?;
    ensure(err.kind() == ErrorKind::Unsupported, format!("{err}"))?;
    ensure(!err.message().is_empty(), "no message")
}

fn terminate_and_kill_end_a_blocked_child() -> TestResult {
    for (signal, expected) in [("terminate", -15), ("kill", -9)] {
        let (started, never) = (Event::new()?, Event::new()?);
        let mut args = Args::new()?;
        args.add_event(&started)?.add_event(&never)?;
        let child =
            Process::with_options("block_until_signalled", args, &options(StartMethod::Spawn))?;
        child.start()?;
        ensure(started.wait(PATIENCE)?, "the child never started waiting")?;
        ensure(child.is_alive()?, "not alive while blocked")?;
        ensure(
            child.join(Some(Duration::ZERO))?.is_none(),
            "joined a blocked child",
        )?;
        if signal == "terminate" {
            child.terminate()?;
        } else {
            child.kill()?;
        }
        let code = child.join(PATIENCE)?;
        ensure(
            code == Some(expected),
            format!("{signal}: exit code {code:?}"),
        )?;
    }
    Ok(())
}

fn a_panicking_task_exits_with_101() -> TestResult {
    let child = Process::with_options("panic_quietly", Args::new()?, &options(StartMethod::Spawn))?;
    child.start()?;
    let code = child.join(PATIENCE)?;
    ensure(
        code == Some(mproc::PANIC_EXIT_CODE),
        format!("exit code {code:?}"),
    )
}

fn no_children_are_left_running() -> TestResult {
    let left = mproc::active_children()?;
    ensure(left.is_empty(), format!("children still running: {left:?}"))
}
