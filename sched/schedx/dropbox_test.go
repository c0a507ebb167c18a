package schedx_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

func TestDropboxLatestWinsAndMerge(t *testing.T) {
	m := schedx.NewMonitor(0)
	s := sched.New(sched.Options{Jobs: 1, OnEvent: m.Observe})
	d := schedx.NewDropbox(s)
	var ran []string
	cleaned := 0
	add := func(key, payload string, merge func(q, l *sched.Task) *sched.Task) bool {
		return d.Drop(&sched.Task{Func: "test.echo", Key: key, Payload: []byte(payload),
			OnEnd: func(r sched.Result) {
				cleaned++
				if r.State != sched.StateDropped {
					ran = append(ran, string(r.Value))
				}
			},
		}, merge)
	}
	if add("latest", "1", nil) {
		t.Error("the first Drop of a key reported a merge")
	}
	add("latest", "2", nil)
	add("latest", "3", nil)
	concat := func(q, l *sched.Task) *sched.Task {
		q2 := *q
		q2.Payload = []byte(string(q.Payload) + "+" + string(l.Payload))
		return &q2
	}
	add("merged", "a", concat)
	add("merged", "b", concat)
	add("merged", "c", concat)
	if s.Queued() != 2 {
		t.Fatalf("Queued() = %d, want 2 (one per key)", s.Queued())
	}
	pending := m.Pending()
	if string(pending[0].Task.Payload) != "3" || string(pending[1].Task.Payload) != "a+b+c" {
		t.Errorf("queued payloads %q and %q", pending[0].Task.Payload, pending[1].Task.Payload)
	}
	run(t, s)
	if !slices.Equal(ran, []string{"3", "a+b+c"}) {
		t.Errorf("ran %q, want [3 a+b+c]", ran)
	}
	// Every task ended once, dropped or run: the six given to Drop and
	// the two merges built ("a+b", then "a+b+c").
	if cleaned != 8 {
		t.Errorf("OnEnd called %d times, want 8", cleaned)
	}
}

// within fails the test if fn does not return within a generous delay: a
// scheduler method that blocks forever on its lock.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return: the scheduler is deadlocked", what)
	}
}

// A dropbox merge that returns nil keeps the queued task; one that panics
// leaves the scheduler usable; one that calls the scheduler does not
// deadlock.
func TestDropMergeNilPanicAndReentry(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	d := schedx.NewDropbox(s)
	task := func(p string) *sched.Task {
		return &sched.Task{Func: "test.echo", Key: "k", Payload: []byte(p)}
	}
	first := task("first")
	d.Drop(first, nil)

	second := task("second")
	var secondEnd sched.Result
	second.OnEnd = func(r sched.Result) { secondEnd = r }
	within(t, "Drop with a merge returning nil", func() {
		if !d.Drop(second, func(q, l *sched.Task) *sched.Task { return nil }) {
			t.Error("Drop into a queued task of the same key reported no merge")
		}
	})
	within(t, "Queued after a merge returned nil", func() {
		if n := s.Queued(); n != 1 {
			t.Errorf("Queued() = %d, want 1", n)
		}
	})
	// second never reached the scheduler: its OnEnd says it was dropped.
	if secondEnd.State != sched.StateDropped || !errors.Is(secondEnd.Err, sched.ErrDropped) || first.State() != sched.StateQueued {
		t.Errorf("after a nil merge: first %s, second ended %s (%v); want queued and dropped", first.State(), secondEnd.State, secondEnd.Err)
	}

	within(t, "Drop with a panicking merge", func() {
		defer func() {
			if recover() == nil {
				t.Error("the merge's panic did not reach the caller of Drop")
			}
		}()
		d.Drop(task("third"), func(q, l *sched.Task) *sched.Task { panic("merge failed") })
	})
	within(t, "Queued after a merge panicked", func() { _ = s.Queued() })

	within(t, "Drop with a merge that calls the scheduler", func() {
		d.Drop(task("fourth"), func(q, l *sched.Task) *sched.Task {
			_ = s.Queued()
			return l
		})
	})
	within(t, "Run", func() { run(t, s) })
	if first.State() != sched.StateDropped {
		t.Errorf("the queued task replaced by a merge is %s, want dropped", first.State())
	}
}
