mod common;

use common::TempName;
use mproc::{Args, ErrorKind, SharedMemory, SharedOptions};

#[test]
fn a_new_block_is_zeroed_and_page_aligned() {
    let shm = SharedMemory::new(10_000).unwrap();
    assert_eq!(shm.len(), 10_000);
    assert_eq!(shm.as_ptr() as usize % 4096, 0);
    let bytes = shm.locked().unwrap();
    assert_eq!(bytes.len(), 10_000);
    assert!(bytes.iter().all(|&b| b == 0));
    assert_eq!(
        SharedMemory::new(0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn writes_through_one_handle_show_through_another() {
    let name = TempName::new("shm");
    let shm = SharedMemory::with_options(64, &SharedOptions::with_name(name.0.clone())).unwrap();
    assert_eq!(shm.name(), name.0);
    {
        let mut bytes = shm.locked().unwrap();
        assert!(!bytes.owner_died());
        bytes[..5].copy_from_slice(b"hello");
    }
    let other = SharedMemory::open(&name.0).unwrap();
    assert_eq!(other.len(), 64);
    assert_eq!(&other.locked().unwrap()[..5], b"hello");
    // SAFETY: nothing writes the block while the slice lives.
    assert_eq!(unsafe { &other.as_slice()[..5] }, b"hello");

    // A handle that reaches a task as an argument maps the same bytes too.
    let mut args = Args::new().unwrap();
    args.add_shm(&shm).unwrap();
    let via_args = args.view().get_shm(0).unwrap();
    via_args.locked().unwrap()[5] = b'!';
    assert_eq!(&shm.locked().unwrap()[..6], b"hello!");
}

#[test]
fn the_block_lock_is_shared_and_not_reentrant() {
    let shm = SharedMemory::new(8).unwrap();
    let held = shm.locked().unwrap();
    // A second view on the same thread would alias the first: refused.
    assert_eq!(shm.locked().unwrap_err().kind(), ErrorKind::InvalidState);
    std::thread::scope(|s| {
        s.spawn(|| assert!(shm.lock().unwrap().try_lock().unwrap().is_none()));
    });
    drop(held);
    assert!(!shm.lock().unwrap().is_locked().unwrap());
}

#[test]
fn exclusive_handle_gives_a_mutable_slice() {
    let mut shm = SharedMemory::new(4).unwrap();
    // SAFETY: an anonymous block this test alone holds.
    unsafe { shm.as_mut_slice() }.copy_from_slice(&[1, 2, 3, 4]);
    assert_eq!(&*shm.locked().unwrap(), &[1, 2, 3, 4]);
}
