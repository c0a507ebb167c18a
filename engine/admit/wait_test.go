package admit

import (
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time             { return c.t }
func (c *fakeClock) advance(d time.Duration)    { c.t = c.t.Add(d) }
func waitOn(ws []Wait, on string) time.Duration { return sumWaits(ws, on) }

func sumWaits(ws []Wait, on string) time.Duration {
	var d time.Duration
	for _, w := range ws {
		if w.On == on {
			d += w.Time
		}
	}
	return d
}

func TestWaitsNameTheLimitThatHeldAJobBack(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	slots := LocalSlots(1)
	pools := NewPools(map[string]int{"link": 1})
	q := NewQueue(pools, slots)
	q.SetClock(clock.now)
	a, b, c := &Job{ID: 1}, &Job{ID: 2}, &Job{ID: 3, Pool: "link"}
	q.Add(a)
	q.Add(b)
	if got := ids(q.Admit()); len(got) != 1 || got[0] != 1 {
		t.Fatalf("admitted %v, want [1]", got)
	}
	clock.advance(2 * time.Second)
	q.Release(a)
	if got := ids(q.Admit()); len(got) != 1 || got[0] != 2 {
		t.Fatalf("admitted %v, want [2]", got)
	}
	if got := waitOn(q.Waits(b), "-j"); got != 2*time.Second {
		t.Errorf("b waited %v on -j, want 2s (waits %v)", got, q.Waits(b))
	}
	if w := q.Waits(a); len(w) != 0 {
		t.Errorf("a, admitted at once, has waits %v", w)
	}
	// c waits for -j (b holds the slot) 1s; b ends.
	q.Add(c)
	q.Admit()
	clock.advance(time.Second)
	q.Release(b)
	q.Admit()
	if got := waitOn(q.Waits(c), "-j"); got != time.Second {
		t.Errorf("c waited %v on -j, want 1s (waits %v)", got, q.Waits(c))
	}
	// A second link job waits for the pool, not for -j.
	d := &Job{ID: 4, Pool: "link"}
	q.Add(d)
	q.Admit()
	clock.advance(3 * time.Second)
	q.Release(c)
	q.Admit()
	if got := waitOn(q.Waits(d), "pool link"); got != 3*time.Second {
		t.Errorf("d waited %v on pool link, want 3s (waits %v)", got, q.Waits(d))
	}
}
