mod common;

use mproc::{code, Args, ErrorKind, Process, Queue, SharedOptions};

#[test]
fn rust_error_table_matches_the_library() {
    for kind in ErrorKind::ALL {
        let code = kind.code();
        assert_eq!(ErrorKind::from_code(code), *kind);
        let name = kind.name().expect("known kinds have names");
        assert_eq!(mproc_err_name(code), name, "code {code}");
    }
    assert_eq!(ErrorKind::ALL.len(), 47);
    assert_eq!(ErrorKind::from_code(-99999), ErrorKind::Other(-99999));
}

fn mproc_err_name(code: i32) -> String {
    // SAFETY: takes any int and returns a static, NUL-terminated string.
    let p = unsafe { mproc::ffi::mproc_err_name(code) };
    assert!(!p.is_null());
    // SAFETY: as above.
    unsafe { std::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn errors_carry_code_name_and_the_library_message() {
    let err = Process::new("no-such-task-anywhere", Args::new().unwrap()).unwrap_err();
    assert_eq!(err.code(), code::ENOTFOUND);
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.name(), "ENOTFOUND");
    assert!(
        err.message().contains("no-such-task-anywhere"),
        "message: {}",
        err.message()
    );
    let shown = err.to_string();
    assert!(
        shown.contains("ENOTFOUND") && shown.contains("no-such-task-anywhere"),
        "{shown}"
    );
    let as_dyn: Box<dyn std::error::Error> = Box::new(err.clone());
    assert_eq!(as_dyn.to_string(), shown);
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn bad_names_are_rejected_before_and_by_the_library() {
    let err = Queue::open("").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    // A NUL byte is caught by the binding, which C could not even see.
    let err = Queue::open("a\0b").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("NUL"), "{}", err.message());
    // A '/' is refused by the library, with its own message.
    let err = mproc::Lock::with_options(&SharedOptions::with_name("has/slash")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("has/slash"), "{}", err.message());
}

#[test]
fn opening_a_missing_object_is_no_such_file() {
    let name = common::TempName::new("missing");
    let err = mproc::Event::open(&name.0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoSuchFile);
    assert!(!err.message().is_empty());
}

#[test]
fn library_facts() {
    assert_eq!(mproc::version(), "0.1.0");
    assert_eq!(mproc::version_number(), 100);
    assert!(mproc::cpu_count() >= 1);
    assert_eq!(mproc::current_process_name(), "MainProcess");
    assert_eq!(mproc::parent_pid(), None);
    assert!(!mproc::current_process_is_daemon());
}
