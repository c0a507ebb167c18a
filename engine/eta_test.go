package engine

import (
	"testing"
	"time"
)

func TestETA(t *testing.T) {
	// Two jobs, four targets of 4s each left, one of them running for 1s:
	// 15s of work over 2 jobs is 7.5s, more than the 3s the running one
	// still needs.
	e := eta{jobs: 2, left: map[int]time.Duration{}, running: map[int]time.Time{}, known: true, mean: 4 * time.Second}
	for id := range 4 {
		e.left[id] = 4 * time.Second
		e.work += 4 * time.Second
	}
	now := time.Now()
	e.running[0] = now.Add(-time.Second)
	if got, ok := e.estimate(now); !ok || got != 7500*time.Millisecond {
		t.Errorf("estimate = %v, %v; want 7.5s", got, ok)
	}
	// One target left, running for 1s of its 4s: 3s.
	for i := 1; i < 4; i++ {
		e.finished(i)
	}
	if got, ok := e.estimate(now); !ok || got != 3*time.Second {
		t.Errorf("estimate = %v, %v; want 3s", got, ok)
	}
	// Slower than recorded: no estimate rather than a wrong one.
	e.running[0] = now.Add(-10 * time.Second)
	if got, ok := e.estimate(now); ok {
		t.Errorf("estimate = %v for a command slower than recorded, want none", got)
	}
	var none eta
	if _, ok := none.estimate(now); ok {
		t.Error("an estimate without recorded durations")
	}
}
