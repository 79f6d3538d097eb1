mod common;

use std::os::fd::AsRawFd;

use common::PATIENCE;
use mproc::{ArgType, Args, ErrorKind, Queue};

#[test]
fn values_read_back_by_index_and_type() {
    let mut args = Args::new().unwrap();
    assert!(args.is_empty());
    args.add_str("name")
        .unwrap()
        .add_i64(-42)
        .unwrap()
        .add_f64(2.5)
        .unwrap()
        .add_bytes(&[0, 1, 2])
        .unwrap()
        .add_bytes(&[])
        .unwrap();
    let view = args.view();
    assert_eq!(view.len(), 5);
    assert_eq!(view.arg_type(0).unwrap(), ArgType::Str);
    assert_eq!(view.get_str(0).unwrap(), "name");
    assert_eq!(view.get_i64(1).unwrap(), -42);
    assert_eq!(view.get_f64(2).unwrap(), 2.5);
    assert_eq!(view.get_bytes(3).unwrap(), &[0, 1, 2]);
    assert_eq!(view.get_bytes(4).unwrap(), b"");

    let err = view.get_i64(0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongType);
    assert!(!err.message().is_empty());
    assert_eq!(view.get_str(5).unwrap_err().kind(), ErrorKind::OutOfRange);
    assert_eq!(
        args.add_str("nul\0inside").unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(args.len(), 5, "a refused value is not added");
}

#[test]
fn handles_in_a_list_reach_the_same_object() {
    let q = Queue::new().unwrap();
    let mut args = Args::new().unwrap();
    args.add_queue(&q).unwrap();
    let copy = args.view().get_queue(0).unwrap();
    drop(args);
    copy.put(b"via the list", None).unwrap();
    assert_eq!(q.get(PATIENCE).unwrap().as_bytes(), b"via the list");
}

#[test]
fn descriptors_are_duplicated_into_the_list() {
    let file = std::fs::File::open("/dev/null").unwrap();
    let mut args = Args::new().unwrap();
    args.add_fd(&file).unwrap();
    let fd = args.view().get_fd(0).unwrap();
    assert_ne!(fd.as_raw_fd(), file.as_raw_fd());
    let owned = fd.try_clone_to_owned().unwrap();
    drop(args);
    assert!(owned.as_raw_fd() >= 0);
}
