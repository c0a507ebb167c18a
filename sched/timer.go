package sched

import "time"

// Timer is a function to call on Run's goroutine after a delay, set with
// OnDelay. While a timer is active (neither called nor canceled), Run does
// not return, even with nothing queued or running: a timer's function may
// add tasks.
type Timer struct {
	s     *Scheduler
	fn    func()
	t     *time.Timer
	state timerState // guarded by s.mu
}

type timerState uint8

const (
	timerPending  timerState = iota // waiting for its delay
	timerDue                        // delay over, in Scheduler.fired
	timerCalled                     // fn was called (or is being called)
	timerCanceled                   // Cancel came first
)

// OnDelay calls fn on Run's goroutine, like a handler, once d has passed.
// It may be called from any goroutine, before or during Run; a timer that
// is due while no Run is running is called by the next Run. Stop does not
// cancel timers.
func (s *Scheduler) OnDelay(d time.Duration, fn func()) *Timer {
	t := &Timer{s: s, fn: fn}
	s.mu.Lock()
	s.timers++
	s.mu.Unlock()
	t.t = time.AfterFunc(d, t.due)
	return t
}

// due puts the timer in the loop's list.
func (t *Timer) due() {
	s := t.s
	s.mu.Lock()
	if t.state != timerPending {
		s.mu.Unlock()
		return
	}
	t.state = timerDue
	s.fired = append(s.fired, t)
	s.mu.Unlock()
	s.poke()
}

// call runs the timer's function, unless it was canceled meanwhile.
func (t *Timer) call() {
	s := t.s
	s.mu.Lock()
	if t.state != timerDue {
		s.mu.Unlock()
		return
	}
	t.state = timerCalled
	s.timers--
	s.mu.Unlock()
	t.fn()
}

// Cancel stops the timer. It returns true if the function will not be
// called, false if it was already called (or is being called). It may be
// called from any goroutine, including from a handler.
func (t *Timer) Cancel() bool {
	s := t.s
	s.mu.Lock()
	defer s.mu.Unlock()
	switch t.state {
	case timerPending, timerDue:
		t.t.Stop()
		t.state = timerCanceled
		s.timers--
		// A due timer stays in s.fired: call skips it, and the loop
		// wakes up to see that it may return.
		s.pokeLocked()
		return true
	case timerCanceled:
		return true
	}
	return false
}
