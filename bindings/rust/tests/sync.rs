mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{TempName, PATIENCE};
use mproc::{
    Barrier, CondLock, Condition, ErrorKind, Event, Lock, RLock, Semaphore, SharedOptions,
};

#[test]
fn lock_excludes_other_threads() {
    let lock = Lock::new().unwrap();
    // Load-then-store is not atomic as a pair: only the lock keeps
    // increments from being lost.
    let counter = AtomicU64::new(0);
    const THREADS: u64 = 4;
    const ROUNDS: u64 = 2000;
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..ROUNDS {
                    let guard = lock.lock().unwrap();
                    assert!(!guard.owner_died());
                    let v = counter.load(Ordering::Relaxed);
                    std::hint::spin_loop();
                    counter.store(v + 1, Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(counter.load(Ordering::Relaxed), THREADS * ROUNDS);
    assert!(!lock.is_locked().unwrap());
}

#[test]
fn try_lock_and_timeouts_see_a_held_lock() {
    let lock = Lock::new().unwrap();
    let guard = lock.lock().unwrap();
    assert!(lock.is_locked().unwrap());
    std::thread::scope(|s| {
        s.spawn(|| {
            assert!(lock.try_lock().unwrap().is_none());
            let start = Instant::now();
            assert!(lock
                .acquire(Some(Duration::from_millis(50)))
                .unwrap()
                .is_none());
            assert!(start.elapsed() >= Duration::from_millis(45));
        });
    });
    // Waiting for a lock this thread holds would wait forever.
    assert_eq!(lock.try_lock().unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(
        lock.acquire(None).unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    guard.unlock().unwrap();
    assert!(!lock.is_locked().unwrap());
    assert!(lock.try_lock().unwrap().is_some());
}

#[test]
fn a_lock_left_by_a_dead_thread_reports_owner_death() {
    let lock = Lock::new().unwrap();
    std::thread::scope(|s| {
        s.spawn(|| std::mem::forget(lock.lock().unwrap()));
    });
    let guard = lock.acquire(PATIENCE).unwrap().expect("taken over");
    assert!(guard.owner_died());
    drop(guard);
    assert!(!lock.lock().unwrap().owner_died());
}

#[test]
fn named_lock_is_the_same_lock() {
    let name = TempName::new("lock");
    let lock = Lock::with_options(&SharedOptions::with_name(name.0.clone())).unwrap();
    assert_eq!(lock.name(), name.0);
    let other = Lock::open(&name.0).unwrap();
    let _held = lock.lock().unwrap();
    assert!(other.is_locked().unwrap());
    assert_eq!(
        mproc::Semaphore::open(&name.0).unwrap_err().kind(),
        ErrorKind::WrongType
    );
}

#[test]
fn rlock_counts_its_levels() {
    let lock = RLock::new().unwrap();
    assert_eq!(lock.depth().unwrap(), 0);
    let a = lock.lock().unwrap();
    let b = lock.try_lock().unwrap().expect("re-entrant");
    assert_eq!(lock.depth().unwrap(), 2);
    std::thread::scope(|s| {
        s.spawn(|| assert!(lock.try_lock().unwrap().is_none()));
    });
    drop(b);
    assert_eq!(lock.depth().unwrap(), 1);
    a.unlock().unwrap();
    assert_eq!(lock.depth().unwrap(), 0);
}

#[test]
fn semaphores_count_and_bounded_ones_refuse_extra_releases() {
    let sem = Semaphore::new(2).unwrap();
    assert!(sem.try_acquire().unwrap());
    assert!(sem.acquire(None).unwrap());
    assert!(!sem.try_acquire().unwrap());
    assert!(!sem.acquire(Some(Duration::from_millis(20))).unwrap());
    sem.release().unwrap();
    assert_eq!(sem.value().unwrap(), 1);
    sem.release().unwrap();
    sem.release().unwrap();
    assert_eq!(sem.value().unwrap(), 3);

    let bounded = Semaphore::bounded(1).unwrap();
    assert_eq!(
        bounded.release().unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    assert!(bounded.try_acquire().unwrap());
    bounded.release().unwrap();
}

#[test]
fn event_wakes_a_waiting_thread() {
    let event = Event::new().unwrap();
    assert!(!event.is_set().unwrap());
    assert!(!event.wait(Some(Duration::from_millis(10))).unwrap());
    std::thread::scope(|s| {
        let waiter = s.spawn(|| event.wait(PATIENCE).unwrap());
        event.set().unwrap();
        assert!(waiter.join().unwrap());
    });
    assert!(event.is_set().unwrap());
    event.clear().unwrap();
    assert!(!event.is_set().unwrap());
}

#[test]
fn condition_wait_for_sees_a_notified_change() {
    for lock in [None, Some(Lock::new().unwrap())] {
        let cond = match &lock {
            None => Condition::new().unwrap(),
            Some(l) => Condition::with_options(CondLock::Lock(l), &SharedOptions::new()).unwrap(),
        };
        let ready = AtomicBool::new(false);
        std::thread::scope(|s| {
            let waiter = s.spawn(|| {
                let mut guard = cond.lock().unwrap();
                guard
                    .wait_for(|| ready.load(Ordering::SeqCst), PATIENCE)
                    .unwrap()
            });
            let guard = cond.lock().unwrap();
            ready.store(true, Ordering::SeqCst);
            guard.notify_all().unwrap();
            drop(guard);
            assert!(waiter.join().unwrap());
        });
        let mut guard = cond.lock().unwrap();
        assert!(
            !guard.wait(Some(Duration::from_millis(10))).unwrap(),
            "nobody notified"
        );
        guard.notify(1).unwrap();
    }
}

#[test]
fn condition_over_an_rlock_releases_every_level_while_waiting() {
    let rlock = RLock::new().unwrap();
    let cond = Condition::with_options(CondLock::RLock(&rlock), &SharedOptions::new()).unwrap();
    let ready = AtomicBool::new(false);
    std::thread::scope(|s| {
        let _outer = cond.lock().unwrap();
        let mut inner = cond.lock().unwrap();
        let notifier = s.spawn(|| {
            let g = cond.lock().unwrap();
            ready.store(true, Ordering::SeqCst);
            g.notify_all().unwrap();
        });
        assert!(inner
            .wait_for(|| ready.load(Ordering::SeqCst), PATIENCE)
            .unwrap());
        assert_eq!(rlock.depth().unwrap(), 2);
        notifier.join().unwrap();
    });
}

#[test]
fn barrier_releases_all_parties_with_distinct_indexes() {
    let barrier = Barrier::new(3).unwrap();
    assert_eq!(barrier.parties().unwrap(), 3);
    let indexes: BTreeSet<u32> = std::thread::scope(|s| {
        let waiters: Vec<_> = (0..3)
            .map(|_| s.spawn(|| barrier.wait(PATIENCE).unwrap()))
            .collect();
        waiters.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(indexes, BTreeSet::from([0, 1, 2]));
    assert_eq!(barrier.n_waiting().unwrap(), 0);
}

#[test]
fn a_barrier_timeout_breaks_it_until_reset() {
    let barrier = Barrier::new(2).unwrap();
    let err = barrier.wait(Some(Duration::from_millis(20))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert!(barrier.is_broken().unwrap());
    assert_eq!(barrier.wait(None).unwrap_err().kind(), ErrorKind::Broken);
    barrier.reset().unwrap();
    assert!(!barrier.is_broken().unwrap());
    barrier.abort().unwrap();
    assert_eq!(barrier.wait(None).unwrap_err().kind(), ErrorKind::Broken);
}
