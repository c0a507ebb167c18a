package schedx_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

func TestPushBackPressure(t *testing.T) {
	const limit, tasks = 2, 12
	s := sched.New(sched.Options{Jobs: 1})
	q := schedx.NewQueue(s, limit)
	for range limit {
		if !q.TryPush(&sched.Task{Func: "test.echo"}) {
			t.Fatal("TryPush refused a task with room in the queue")
		}
	}
	if q.TryPush(&sched.Task{Func: "test.echo"}) {
		t.Fatal("TryPush accepted a task in a full queue")
	}
	// AddTask is never refused, nor counted.
	s.AddTask(&sched.Task{Func: "test.echo"})
	s.Clear()

	var maxQueued atomic.Int64
	var finished atomic.Int64
	release := s.OnDelay(time.Hour, func() {})
	pushed := make(chan error, 1)
	go func() {
		defer release.Cancel()
		for range tasks {
			err := q.Push(t.Context(), &sched.Task{Func: "test.sleep", Payload: []byte("20ms"), OnEnd: func(sched.Result) { finished.Add(1) }})
			if err != nil {
				pushed <- err
				return
			}
			if q := int64(s.Queued()); q > maxQueued.Load() {
				maxQueued.Store(q)
			}
		}
		pushed <- nil
	}()
	run(t, s)
	if err := <-pushed; err != nil {
		t.Fatal(err)
	}
	if finished.Load() != tasks {
		t.Errorf("%d tasks finished, want %d", finished.Load(), tasks)
	}
	if m := maxQueued.Load(); m > limit {
		t.Errorf("the queue held %d tasks, the limit is %d", m, limit)
	}
}

func TestPushGivesUpWithContext(t *testing.T) {
	s := sched.New(sched.Options{})
	q := schedx.NewQueue(s, 1)
	if !q.TryPush(&sched.Task{Func: "test.echo"}) {
		t.Fatal("TryPush refused a task in an empty queue")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := q.Push(ctx, &sched.Task{Func: "test.echo"}); err == nil {
		t.Fatal("Push into a full queue without Run returned nil")
	}
	if s.Queued() != 1 {
		t.Errorf("Queued() = %d after a Push that gave up", s.Queued())
	}
}
