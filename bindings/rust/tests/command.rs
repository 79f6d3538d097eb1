use std::time::Duration;

use mproc::{Command, ErrorKind};

#[test]
fn captures_stdout_stderr_and_status_separately() {
    let out = mproc::run(&["sh", "-c", "echo out; echo err >&2; exit 3"]).unwrap();
    assert_eq!(out.status, 3);
    assert!(!out.success());
    assert_eq!(out.stdout, b"out\n");
    assert_eq!(out.stderr, b"err\n");
}

#[test]
fn input_environment_and_directory_reach_the_command() {
    let out = Command::new("sh")
        .arg("-c")
        .arg("cat; printf ' %s %s' \"$MPROC_RUST_TEST\" \"$(pwd)\"")
        .env("MPROC_RUST_TEST", "set")
        .current_dir("/")
        .input("piped")
        .run()
        .unwrap();
    assert!(out.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "piped set /");
}

#[test]
fn without_input_stdin_is_empty() {
    let out = mproc::run(&["cat"]).unwrap();
    assert_eq!((out.status, out.stdout.len()), (0, 0));
    let out = Command::new("wc").arg("-c").input("").run().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
}

#[test]
fn a_missing_program_is_an_error_not_status_127() {
    let err = mproc::run(&["/nonexistent/mproc-rust-test"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoSuchFile);
    assert!(
        err.message().contains("/nonexistent/mproc-rust-test"),
        "{}",
        err.message()
    );
    let none: [&str; 0] = [];
    assert_eq!(
        mproc::run(&none).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn a_command_past_its_timeout_is_killed() {
    let err = Command::new("sleep")
        .arg("30")
        .timeout(Duration::from_millis(200))
        .run()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
}
