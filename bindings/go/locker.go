package mproc

import (
	"fmt"
	"sync"
)

// Locker is a Lock or RLock as a sync.Locker, for code written against
// that interface (sync.Cond, guarded structs). Lock waits without limit;
// both panic, with the error, if the call fails (sync.Locker has no error
// to return), except that a lock taken from a dead owner (ErrOwnerDead)
// counts as taken. As with Lock and RLock themselves, the goroutine that
// locks must be the one that unlocks: the lock belongs to its OS thread.
type locker struct {
	what    string
	acquire func() error
	release func() error
}

func (l locker) Lock() {
	if err := l.acquire(); err != nil && !hasCode(err, EOWNERDEAD) {
		panic(fmt.Sprintf("mproc: %s.Locker().Lock: %v", l.what, err))
	}
}

func (l locker) Unlock() {
	if err := l.release(); err != nil {
		panic(fmt.Sprintf("mproc: %s.Locker().Unlock: %v", l.what, err))
	}
}

// Locker adapts the lock to sync.Locker (see the locker type).
func (l *Lock) Locker() sync.Locker {
	return locker{"Lock", func() error { return l.Acquire(Forever) }, l.Release}
}

// Locker adapts the re-entrant lock to sync.Locker.
func (l *RLock) Locker() sync.Locker {
	return locker{"RLock", func() error { return l.Acquire(Forever) }, l.Release}
}
