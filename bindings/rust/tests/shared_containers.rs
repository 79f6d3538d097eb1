mod common;

use std::thread;

use common::TempName;
use mproc::{ContainerOptions, ErrorKind, SharedDict, SharedList};

#[test]
fn dict_operations() {
    let d = SharedDict::new().unwrap();
    assert!(d.is_empty().unwrap());
    assert_eq!(d.name(), "");
    d.set(b"a", b"1").unwrap();
    d.set(b"b", &[0u8, 255]).unwrap();
    d.set(b"", b"").unwrap();
    assert_eq!(d.get(b"a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(d.get(b"b").unwrap(), Some(vec![0u8, 255]));
    assert_eq!(d.get(b"").unwrap(), Some(Vec::new()));
    assert_eq!(d.get(b"zz").unwrap(), None);
    assert!(d.contains_key(b"a").unwrap());
    assert!(!d.contains_key(b"zz").unwrap());
    assert_eq!(d.len().unwrap(), 3);
    assert!(!d.insert_new(b"a", b"x").unwrap());
    assert!(d.insert_new(b"c", b"3").unwrap());
    assert!(d.replace(b"c", b"3", b"33").unwrap());
    assert!(!d.replace(b"c", b"3", b"333").unwrap());
    assert_eq!(d.replace(b"q", b"", b"").unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(d.remove(b"c").unwrap(), Some(b"33".to_vec()));
    assert_eq!(d.remove(b"c").unwrap(), None);
    let mut buf = [0u8; 1];
    assert_eq!(d.get_into(b"a", &mut buf).unwrap(), 1);
    assert_eq!(d.get_into(b"b", &mut buf).unwrap_err().kind(), ErrorKind::TooBig);
    let big = vec![7u8; 100_000];
    d.set(b"big", &big).unwrap();
    assert_eq!(d.get(b"big").unwrap().unwrap(), big);
    let items = d.items().unwrap();
    let mut seen: Vec<(Vec<u8>, usize)> = items.iter().map(|(k, v)| (k.to_vec(), v.len())).collect();
    seen.sort();
    assert_eq!(seen, vec![(b"".to_vec(), 0), (b"a".to_vec(), 1), (b"b".to_vec(), 2), (b"big".to_vec(), 100_000)]);
    let mut keys = d.keys().unwrap();
    keys.sort();
    assert_eq!(keys.len(), 4);
    let (used, limit) = d.usage().unwrap();
    assert!(used > 100_000);
    assert_eq!(limit, mproc::CONTAINER_DEFAULT_LIMIT);
    d.check().unwrap();
    d.clear().unwrap();
    assert_eq!(d.len().unwrap(), 0);
}

#[test]
fn list_operations() {
    let l = SharedList::new().unwrap();
    assert!(l.is_empty().unwrap());
    l.push(b"b").unwrap();
    l.push(b"c").unwrap();
    l.insert(0, b"a").unwrap();
    l.insert(100, b"d").unwrap();
    assert_eq!(l.to_vec().unwrap(), vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"d".to_vec()]);
    assert_eq!(l.get(-1).unwrap(), Some(b"d".to_vec()));
    assert_eq!(l.get(4).unwrap(), None);
    l.set(1, b"B").unwrap();
    assert_eq!(l.set(9, b"x").unwrap_err().kind(), ErrorKind::OutOfRange);
    assert_eq!(l.pop(-1).unwrap(), Some(b"d".to_vec()));
    assert_eq!(l.pop(0).unwrap(), Some(b"a".to_vec()));
    assert_eq!(l.len().unwrap(), 2);
    l.check().unwrap();
    l.clear().unwrap();
    assert_eq!(l.pop(-1).unwrap(), None);
}

#[test]
fn full_is_its_own_error_and_changes_nothing() {
    let d = SharedDict::with_options(&ContainerOptions::new().limit(4096)).unwrap();
    let value = [b'v'; 200];
    let mut stored = 0;
    let err = loop {
        match d.set(format!("k{stored}").as_bytes(), &value) {
            Ok(()) => stored += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Full);
    assert_eq!(d.len().unwrap(), stored);
    d.check().unwrap();
    let err = SharedDict::with_options(&ContainerOptions::new().limit(10)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn named_ones_open_by_name_and_threads_share_them() {
    let name = TempName::new("dict");
    let list_name = TempName::new("list");
    let d = SharedDict::with_options(&ContainerOptions::new().name(name.0.clone())).unwrap();
    let l = SharedList::with_options(&ContainerOptions::new().name(list_name.0.clone())).unwrap();
    assert_eq!(d.name(), name.0);
    d.set(b"n", b"0").unwrap();
    thread::scope(|s| {
        for t in 0..4 {
            let (name, list_name) = (&name.0, &list_name.0);
            s.spawn(move || {
                let d = SharedDict::open(name).unwrap();
                let l = SharedList::open(list_name).unwrap();
                for _ in 0..100 {
                    loop {
                        let old = d.get(b"n").unwrap().unwrap();
                        let n: u64 = std::str::from_utf8(&old).unwrap().parse().unwrap();
                        if d.replace(b"n", &old, (n + 1).to_string().as_bytes()).unwrap() {
                            break;
                        }
                    }
                }
                l.push(format!("thread{t}").as_bytes()).unwrap();
            });
        }
    });
    assert_eq!(d.get(b"n").unwrap(), Some(b"400".to_vec()));
    assert_eq!(l.len().unwrap(), 4);
    assert_eq!(
        SharedList::open(&name.0).unwrap_err().kind(),
        ErrorKind::WrongType
    );
}
