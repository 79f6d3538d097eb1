package mproc

import (
	"context"
	"errors"
	"time"
)

// ctxSlice bounds each wait of a Context variant, so that a cancelled
// context is noticed within it; a deadline shortens the last wait.
const ctxSlice = 50 * time.Millisecond

// untilDone repeats a timed wait until it succeeds, fails for another
// reason than its timeout, or ctx is done (then ctx.Err()).
func untilDone(ctx context.Context, wait func(time.Duration) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		slice := ctxSlice
		if deadline, ok := ctx.Deadline(); ok {
			if left := time.Until(deadline); left < slice {
				slice = max0(left)
			}
		}
		err := wait(slice)
		if err == nil || !errors.Is(err, ErrTimeout) {
			return err
		}
	}
}

func max0(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// GetContext is Get until a message comes or ctx is done (ctx.Err()).
func (q *Queue) GetContext(ctx context.Context) (msg []byte, err error) {
	err = untilDone(ctx, func(t time.Duration) (e error) {
		msg, e = q.Get(t)
		return e
	})
	return msg, err
}

// PutContext is Put until there is room or ctx is done (ctx.Err()).
func (q *Queue) PutContext(ctx context.Context, data []byte) error {
	return untilDone(ctx, func(t time.Duration) error { return q.Put(data, t) })
}

// RecvContext is Recv until a message comes or ctx is done (ctx.Err()).
func (c *Conn) RecvContext(ctx context.Context) (msg []byte, err error) {
	err = untilDone(ctx, func(t time.Duration) (e error) {
		msg, e = c.Recv(t)
		return e
	})
	return msg, err
}

// AcquireContext is Acquire until the lock is taken or ctx is done.
func (l *Lock) AcquireContext(ctx context.Context) error {
	return untilDone(ctx, l.Acquire)
}

// AcquireContext is Acquire until the lock is taken or ctx is done.
func (l *RLock) AcquireContext(ctx context.Context) error {
	return untilDone(ctx, l.Acquire)
}

// AcquireContext is Acquire until a unit is taken or ctx is done.
func (s *Semaphore) AcquireContext(ctx context.Context) error {
	return untilDone(ctx, s.Acquire)
}

// WaitContext is Wait until the event is set or ctx is done.
func (e *Event) WaitContext(ctx context.Context) error {
	return untilDone(ctx, e.Wait)
}
