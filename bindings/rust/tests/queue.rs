mod common;

use std::time::{Duration, Instant};

use common::{TempName, PATIENCE};
use mproc::{ErrorKind, Queue, QueueOptions};

#[test]
fn round_trip_keeps_order_and_bytes() {
    let q = Queue::new().unwrap();
    assert!(q.is_empty().unwrap());
    q.put(b"first", None).unwrap();
    q.put(b"", None).unwrap();
    q.put(&[0u8, 255, 7], PATIENCE).unwrap();
    assert_eq!(q.qsize().unwrap(), 3);
    assert_eq!(q.get(None).unwrap().as_bytes(), b"first");
    let empty = q.get(PATIENCE).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.as_bytes(), b"");
    assert_eq!(&*q.try_get().unwrap(), &[0u8, 255, 7][..]);
    assert!(q.is_empty().unwrap());
}

#[test]
fn empty_and_full_are_distinct_errors() {
    let q = Queue::with_options(&QueueOptions::new().maxsize(2)).unwrap();
    assert_eq!(q.maxsize().unwrap(), 2);
    let err = q.try_get().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Empty);
    q.try_put(b"a").unwrap();
    assert!(!q.is_full().unwrap());
    q.try_put(b"b").unwrap();
    assert!(q.is_full().unwrap());
    let err = q.try_put(b"c").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Full);
    assert_ne!(ErrorKind::Full, ErrorKind::Empty);
    assert_eq!(err.name(), "EFULL");
}

#[test]
fn timeouts_wait_about_as_long_as_asked() {
    let q = Queue::with_options(&QueueOptions::new().maxsize(1)).unwrap();
    let wait = Duration::from_millis(100);

    let start = Instant::now();
    let err = q.get(Some(wait)).unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.kind(), ErrorKind::Empty);
    assert!(took >= Duration::from_millis(95), "returned after {took:?}");
    assert!(took < Duration::from_secs(30), "returned after {took:?}");

    q.put(b"x", None).unwrap();
    let start = Instant::now();
    let err = q.put(b"y", Some(wait)).unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.kind(), ErrorKind::Full);
    assert!(took >= Duration::from_millis(95), "returned after {took:?}");
    assert!(took < Duration::from_secs(30), "returned after {took:?}");
}

#[test]
fn a_blocked_get_wakes_for_a_put_from_another_thread() {
    let q = Queue::new().unwrap();
    std::thread::scope(|s| {
        let getter = s.spawn(|| q.get(PATIENCE).map(Vec::from));
        q.put(b"wake up", None).unwrap();
        assert_eq!(getter.join().unwrap().unwrap(), b"wake up");
    });
}

#[test]
fn named_queue_opens_by_name_and_unlinks() {
    let name = TempName::new("queue");
    let q = Queue::with_options(&QueueOptions::new().name(name.0.clone())).unwrap();
    assert_eq!(q.name(), name.0);
    let other = Queue::open(&name.0).unwrap();
    other.put(b"through the name", None).unwrap();
    assert_eq!(q.get(PATIENCE).unwrap().as_bytes(), b"through the name");

    let err = Queue::with_options(&QueueOptions::new().name(name.0.clone())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);

    mproc::unlink(&name.0).unwrap();
    assert_eq!(
        Queue::open(&name.0).unwrap_err().kind(),
        ErrorKind::NoSuchFile
    );
    // Handles opened before the unlink keep working.
    q.put(b"still here", None).unwrap();
    assert_eq!(other.get(PATIENCE).unwrap().as_bytes(), b"still here");
}

#[test]
fn random_names_are_unguessable_and_unlinkable() {
    let q = Queue::with_options(&QueueOptions::new().named()).unwrap();
    let name = TempName(q.name().to_owned());
    assert!(name.0.starts_with("mproc-"), "{}", name.0);
    assert!(Queue::open(&name.0).is_ok());
    assert_eq!(Queue::new().unwrap().name(), "");
}

#[test]
fn shutdown_drains_then_reports_closed() {
    let q = Queue::new().unwrap();
    q.put(b"last", None).unwrap();
    q.shutdown().unwrap();
    q.shutdown().unwrap();
    assert!(q.is_shutdown().unwrap());
    assert_eq!(q.put(b"late", None).unwrap_err().kind(), ErrorKind::Closed);
    assert_eq!(q.get(None).unwrap().as_bytes(), b"last");
    assert_eq!(q.get(None).unwrap_err().kind(), ErrorKind::Closed);
}

#[test]
fn shutdown_wakes_a_blocked_getter() {
    let q = Queue::new().unwrap();
    std::thread::scope(|s| {
        let getter = s.spawn(|| q.get(PATIENCE).map(Vec::from));
        q.shutdown().unwrap();
        assert_eq!(
            getter.join().unwrap().unwrap_err().kind(),
            ErrorKind::Closed
        );
    });
}

#[test]
fn task_done_and_join() {
    let q = Queue::new().unwrap();
    assert!(
        q.join(Some(Duration::ZERO)).unwrap(),
        "nothing was ever put"
    );
    q.put(b"job", None).unwrap();
    assert!(!q.join(Some(Duration::from_millis(20))).unwrap());
    let _job = q.get(None).unwrap();
    assert!(!q.join(Some(Duration::ZERO)).unwrap(), "taken but not done");
    q.task_done().unwrap();
    assert!(q.join(PATIENCE).unwrap());
    assert_eq!(q.task_done().unwrap_err().kind(), ErrorKind::InvalidState);
}

#[test]
fn get_into_and_size_limits() {
    let q = Queue::with_options(&QueueOptions::new().capacity(4096)).unwrap();
    assert_eq!(q.capacity().unwrap(), 4096);
    let max = q.max_message().unwrap();
    // Half the ring, less the library's per-message header.
    assert!(max > 1024 && max <= 2048, "max_message {max}");
    let err = q.put(&vec![1u8; max + 1], None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooBig);

    q.put(b"0123456789", None).unwrap();
    let mut small = [0u8; 4];
    let err = q.get_into(&mut small, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooBig);
    assert!(err.message().contains("10"), "{}", err.message());
    let mut buf = [0u8; 64];
    let n = q.get_into(&mut buf, None).unwrap();
    assert_eq!(&buf[..n], b"0123456789");
}

#[test]
fn handles_are_send_and_sync() {
    fn both<T: Send + Sync>() {}
    both::<Queue>();
    both::<mproc::Message>();
    both::<mproc::Lock>();
    both::<mproc::SharedMemory>();
    both::<mproc::Connection>();
    both::<mproc::Process>();
}
