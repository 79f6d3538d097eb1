//! The typed message format, and typed values through a Queue and a pipe.

use std::time::Duration;

use mproc::{from_bytes, pipe, to_bytes, ErrorKind, Queue};

const PATIENCE: Option<Duration> = Some(Duration::from_secs(30));

#[test]
fn values_round_trip() {
    assert_eq!(from_bytes::<i64>(&to_bytes(&-5i64)).unwrap(), -5);
    assert_eq!(from_bytes::<u8>(&to_bytes(&200u8)).unwrap(), 200);
    assert_eq!(from_bytes::<f64>(&to_bytes(&2.5f64)).unwrap(), 2.5);
    assert_eq!(
        from_bytes::<usize>(&to_bytes(&usize::MAX)).unwrap(),
        usize::MAX
    );
    assert_eq!(from_bytes::<String>(&to_bytes("héllo")).unwrap(), "héllo");
    assert_eq!(
        from_bytes::<Vec<u8>>(&to_bytes(&vec![0u8, 255])).unwrap(),
        vec![0, 255]
    );
    let t = (1i32, "two".to_string(), (3.0f32, vec![4u8]), true);
    assert_eq!(
        from_bytes::<(i32, String, (f32, Vec<u8>), bool)>(&to_bytes(&t)).unwrap(),
        t
    );
    assert_eq!(to_bytes(&()), Vec::<u8>::new());
}

#[test]
fn the_format_is_little_endian_and_length_prefixed() {
    assert_eq!(to_bytes(&0x0102i16), vec![2, 1]);
    assert_eq!(to_bytes("ab"), vec![2, 0, 0, 0, 0, 0, 0, 0, b'a', b'b']);
}

#[test]
fn malformed_messages_are_errors_not_panics() {
    let kind = |r: mproc::Result<_>| r.map(|_: ()| ()).unwrap_err().kind();
    assert_eq!(
        kind(from_bytes::<i64>(&[1, 2, 3]).map(|_| ())),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind(from_bytes::<u8>(&[1, 2]).map(|_| ())),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind(from_bytes::<bool>(&[7]).map(|_| ())),
        ErrorKind::InvalidArgument
    );
    // A length far beyond the message.
    assert_eq!(
        kind(from_bytes::<String>(&[255; 8]).map(|_| ())),
        ErrorKind::InvalidArgument
    );
    let bad_utf8 = [1, 0, 0, 0, 0, 0, 0, 0, 0xff];
    assert_eq!(
        kind(from_bytes::<String>(&bad_utf8).map(|_| ())),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn typed_values_through_a_queue_and_a_pipe() {
    let q = Queue::new().unwrap();
    q.put_value(&(7u64, "seven"), PATIENCE).unwrap();
    let (n, word): (u64, String) = q.get_value(PATIENCE).unwrap();
    assert_eq!((n, word.as_str()), (7, "seven"));
    q.put_value(&1u8, PATIENCE).unwrap();
    assert_eq!(
        q.get_value::<u64>(PATIENCE).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );

    let (a, b) = pipe(true).unwrap();
    a.send_value(&vec![1u8, 2, 3], PATIENCE).unwrap();
    assert_eq!(b.recv_value::<Vec<u8>>(PATIENCE).unwrap(), vec![1, 2, 3]);
}
