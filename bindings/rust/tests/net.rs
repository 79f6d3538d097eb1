mod common;

use std::time::Duration;

use common::PATIENCE;
use mproc::{authkey, connect, ErrorKind, Listener, NetOptions, Queue, WaitSet};

#[test]
fn the_process_key_is_32_bytes() {
    assert_eq!(authkey().unwrap().len(), 32);
}

#[test]
fn listener_and_client_exchange_messages() {
    let key = b"rust-binding-key";
    let listener =
        Listener::bind(Some("tcp:127.0.0.1:0"), Some(&NetOptions::new().unwrap().authkey(key).unwrap()))
            .unwrap();
    let address = listener.address().unwrap();
    assert!(address.starts_with("tcp:127.0.0.1:"), "{address}");
    let opts = NetOptions::new().unwrap().authkey(key).unwrap();
    let client = connect(&address, Some(&opts), PATIENCE).unwrap();
    let served = listener.accept(PATIENCE).unwrap();
    client.send(b"hello", None).unwrap();
    assert_eq!(served.recv(PATIENCE).unwrap().as_bytes(), b"hello");
    served.send(b"back", None).unwrap();
    assert_eq!(client.recv(PATIENCE).unwrap().as_bytes(), b"back");
}

#[test]
fn a_wrong_key_fails_on_both_sides() {
    let listener = Listener::bind(Some("tcp:127.0.0.1:0"), None).unwrap();
    let address = listener.address().unwrap();
    let wrong = NetOptions::new().unwrap().authkey(b"wrong").unwrap();
    assert_eq!(connect(&address, Some(&wrong), PATIENCE).unwrap_err().kind(), ErrorKind::Auth);
    assert_eq!(listener.accept(PATIENCE).unwrap_err().kind(), ErrorKind::Auth);
    assert_eq!(
        listener.accept(Some(Duration::ZERO)).unwrap_err().kind(),
        ErrorKind::TimedOut
    );
}

#[test]
fn a_wait_set_reports_what_is_ready() {
    let listener = Listener::bind(None, None).unwrap();
    let queue = Queue::new().unwrap();
    let w = WaitSet::new().unwrap();
    let sl = w.add_listener(&listener).unwrap();
    let sq = w.add_queue(&queue).unwrap();
    assert!(w.wait(Some(Duration::ZERO), 4).unwrap().is_empty());
    let _client = connect(&listener.address().unwrap(), None, PATIENCE).unwrap();
    assert_eq!(w.wait(PATIENCE, 4).unwrap(), vec![sl]);
    let served = listener.accept(PATIENCE).unwrap();
    w.remove(sl).unwrap();
    queue.put(b"x", None).unwrap();
    assert_eq!(w.wait(PATIENCE, 4).unwrap(), vec![sq]);
    let sc = w.add_connection(&served).unwrap();
    assert_eq!(w.wait(Some(Duration::ZERO), 4).unwrap(), vec![sq]);
    drop(_client);
    let ready = w.wait(PATIENCE, 4).unwrap();
    assert!(ready.contains(&sc));
}
