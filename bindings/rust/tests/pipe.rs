mod common;

use std::time::{Duration, Instant};

use common::PATIENCE;
use mproc::{pipe, ErrorKind};

#[test]
fn messages_arrive_whole_and_in_order_both_ways() {
    let (a, b) = pipe(true).unwrap();
    a.send(b"one", None).unwrap();
    a.send(b"", None).unwrap();
    a.send(&vec![9u8; 100_000], PATIENCE)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.recv(None).unwrap().as_bytes(), b"one");
    assert!(b.recv(None).unwrap().is_empty());
    assert_eq!(b.recv(PATIENCE).unwrap().len(), 100_000);
    b.send(b"back", None).unwrap();
    assert_eq!(a.recv(None).unwrap().as_bytes(), b"back");
}

#[test]
fn poll_reports_arrival_and_times_out() {
    let (a, b) = pipe(true).unwrap();
    let start = Instant::now();
    assert!(!b.poll(Some(Duration::from_millis(50))).unwrap());
    assert!(start.elapsed() >= Duration::from_millis(45));
    assert_eq!(
        b.recv(Some(Duration::ZERO)).unwrap_err().kind(),
        ErrorKind::TimedOut
    );
    a.send(b"x", None).unwrap();
    assert!(b.poll(PATIENCE).unwrap());
    assert!(b.fileno().unwrap() >= 0);
}

#[test]
fn eof_after_the_peer_is_dropped_but_not_before_its_messages() {
    let (a, b) = pipe(true).unwrap();
    b.send(b"parting words", None).unwrap();
    drop(b);
    assert_eq!(a.recv(PATIENCE).unwrap().as_bytes(), b"parting words");
    let err = a.recv(PATIENCE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Eof);
    assert!(a.poll(Some(Duration::ZERO)).unwrap(), "EOF is readable");
    assert_eq!(
        a.send(b"anyone?", PATIENCE).unwrap_err().kind(),
        ErrorKind::BrokenPipe
    );
}

#[test]
fn eof_wakes_a_blocked_receiver() {
    let (a, b) = pipe(true).unwrap();
    std::thread::scope(|s| {
        let receiver = s.spawn(|| a.recv(PATIENCE).map(Vec::from));
        b.close().unwrap();
        assert_eq!(receiver.join().unwrap().unwrap_err().kind(), ErrorKind::Eof);
    });
    assert_eq!(b.send(b"x", None).unwrap_err().kind(), ErrorKind::Closed);
}

#[test]
fn one_way_pipe_ends_only_do_their_part() {
    let (reader, writer) = pipe(false).unwrap();
    assert!(reader.is_readable() && !reader.is_writable());
    assert!(writer.is_writable() && !writer.is_readable());
    assert_eq!(
        reader.send(b"x", None).unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    writer.send(b"0123456789", None).unwrap();
    let mut small = [0u8; 3];
    assert_eq!(
        reader.recv_into(&mut small, None).unwrap_err().kind(),
        ErrorKind::TooBig
    );
    let mut buf = [0u8; 16];
    let n = reader.recv_into(&mut buf, None).unwrap();
    assert_eq!(&buf[..n], b"0123456789");
}
