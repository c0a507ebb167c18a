package admit

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// LoadPoll is how often, at most, LoadAverage reads the load average: a
// queue that asks again sooner gets the last value read.
const LoadPoll = 100 * time.Millisecond

// LoadAverage is -l (make -l, ninja -l): no new local command starts while
// the system's load average is above a maximum, unless none of the
// commands it admitted runs (so a build always makes progress). While it
// refuses it wakes the queue's owner every LoadPoll to try again, since
// the load falls without any job ending.
type LoadAverage struct {
	max     float64
	read    func() (float64, error)
	now     func() time.Time
	wake    func()
	running int
	last    time.Time // when load was read
	load    float64
	pending atomic.Bool // a wake is scheduled
	timer   *time.Timer
}

// NewLoadAverage returns the limit of the load average max, read from
// /proc/loadavg (a system without it is not limited); wake is called, on
// another goroutine, when it is worth calling Admit again.
func NewLoadAverage(max float64, wake func()) *LoadAverage {
	return newLoadAverage(max, ReadLoadAverage, time.Now, wake)
}

func newLoadAverage(max float64, read func() (float64, error), now func() time.Time, wake func()) *LoadAverage {
	return &LoadAverage{max: max, read: read, now: now, wake: wake}
}

// ReadLoadAverage returns the one-minute load average of /proc/loadavg.
func ReadLoadAverage() (float64, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, fmt.Errorf("load average: %w", err)
	}
	field, _, _ := strings.Cut(string(b), " ")
	v, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
	if err != nil {
		return 0, fmt.Errorf("load average: /proc/loadavg: %w", err)
	}
	return v, nil
}

// Take implements Limiter. Remote jobs pass: they load another machine.
func (l *LoadAverage) Take(j *Job) (uint64, bool, error) {
	if j.Remote {
		return 0, true, nil
	}
	if l.running > 0 && l.current() > l.max {
		l.retryLater()
		return 0, false, nil
	}
	l.running++
	return 1, true, nil
}

// Give implements Limiter.
func (l *LoadAverage) Give(j *Job, hold uint64) {
	if hold == 1 {
		l.running--
	}
}

// Idle implements Idler: with nobody waiting, no retry is needed.
func (l *LoadAverage) Idle() {
	if l.timer != nil && l.timer.Stop() {
		l.pending.Store(false)
	}
}

// current is the load average, read again if the last read is older than
// LoadPoll. A load average that cannot be read does not limit.
func (l *LoadAverage) current() float64 {
	if now := l.now(); l.last.IsZero() || now.Sub(l.last) >= LoadPoll {
		l.last = now
		v, err := l.read()
		if err != nil {
			v = 0
		}
		l.load = v
	}
	return l.load
}

// retryLater wakes the owner after LoadPoll, once however many jobs were
// refused meanwhile.
func (l *LoadAverage) retryLater() {
	if l.wake == nil || !l.pending.CompareAndSwap(false, true) {
		return
	}
	l.timer = time.AfterFunc(LoadPoll, func() {
		l.pending.Store(false)
		l.wake()
	})
}

// String names the limit and the last load read: "-l 4 (load 5.2)".
func (l *LoadAverage) String() string {
	return fmt.Sprintf("-l %g (load %.2f)", l.max, l.load)
}

// Name implements Namer.
func (l *LoadAverage) Name() string { return "load" }
