package schedx_test

import (
	"testing"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

func TestAddUnique(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	u := schedx.NewUnique(s)
	var again *sched.Task
	first := &sched.Task{Func: "test.sleep", Key: "k", Payload: []byte("100ms")}
	first.OnStart = func(*sched.SchedulerContext) {
		// Running: still the same work.
		if got, added := u.Add(&sched.Task{Func: "test.sleep", Key: "k", Payload: []byte("1ms")}); added || got != first {
			t.Error("Add added a task whose key is running")
		}
	}
	first.OnEnd = func(sched.Result) {
		// Ended: the key is free, even from the task's own OnEnd.
		again = &sched.Task{Func: "test.echo", Key: "k"}
		if _, added := u.Add(again); !added {
			t.Error("Add refused a key whose task has finished")
		}
	}
	if got, added := u.Add(first); !added || got != first {
		t.Fatal("Add did not add the first task of a key")
	}
	if got, added := u.Add(&sched.Task{Func: "test.echo", Key: "k"}); added || got != first {
		t.Error("Add added a task whose key is queued")
	}
	if got, added := u.Add(&sched.Task{Func: "test.echo"}); !added || got == first {
		t.Error("Add refused a task without a key")
	}
	run(t, s)
	if again == nil || again.State() != sched.StateSucceeded {
		t.Errorf("the task added after the first finished did not run")
	}
}
