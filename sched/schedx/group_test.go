package schedx_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

func TestGroupProgressAndWait(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	g := schedx.NewGroup(s, "suite")
	for _, p := range []string{"a", "b", "c"} {
		if err := g.Add(&sched.Task{Func: "test.echo", Payload: []byte(p)}); err != nil {
			t.Fatal(err)
		}
	}
	g.Add(&sched.Task{Func: "test.fail", Payload: []byte("boom")})
	var hooks []schedx.GroupStatus
	g.OnDone(func(st schedx.GroupStatus) { hooks = append(hooks, st) })
	if st := g.Status(); st.Total != 4 || st.Complete != 0 || st.Progress != 0 {
		t.Errorf("status before Run: %+v", st)
	}
	g.Close()
	if err := g.Add(&sched.Task{Func: "test.echo"}); !errors.Is(err, schedx.ErrGroupClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	waited := make(chan schedx.GroupStatus, 1)
	go func() { waited <- g.Wait() }()
	run(t, s)
	st := <-waited
	if st.Name != "suite" || st.Total != 4 || st.Complete != 4 || st.Failed != 1 || st.Canceled != 0 || st.Progress != 100 || st.Runtime <= 0 {
		t.Errorf("final status %+v", st)
	}
	if len(hooks) != 1 || hooks[0].Complete != 4 {
		t.Errorf("OnDone hooks got %+v, want one call", hooks)
	}
	// OnDone on a done group runs at once.
	called := false
	g.OnDone(func(schedx.GroupStatus) { called = true })
	if !called {
		t.Error("OnDone on a done group did not run")
	}
}

func TestGroupCancel(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	g := schedx.NewGroup(s, "slow")
	var errs []error
	for range 4 {
		g.Add(&sched.Task{Func: "test.waitdone", OnEnd: func(r sched.Result) { errs = append(errs, r.Err) }})
	}
	other := &sched.Task{Func: "test.echo", Payload: []byte("unrelated")}
	s.AddTask(other)
	g.OnDone(func(st schedx.GroupStatus) {
		if st.Canceled != 4 || st.Complete != 4 {
			t.Errorf("status at OnDone: %+v", st)
		}
	})
	// Cancel once both slots run a group task: two are canceled running,
	// two in the queue.
	go func() {
		eventually(time.Minute, func() bool { return s.Running() == 2 })
		g.Cancel()
	}()
	run(t, s)
	if len(errs) != 4 {
		t.Fatalf("%d group tasks finished, want 4", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, sched.ErrCanceled) {
			t.Errorf("group task error %v, want ErrCanceled", err)
		}
	}
	if other.State() != sched.StateSucceeded {
		t.Errorf("a task outside the group is %s", other.State())
	}
	select {
	case <-g.Done():
	default:
		t.Error("Done is open after Cancel and the end of every task")
	}
}

// A task added to a group while the group is canceled is either refused
// (ErrGroupClosed) or canceled: none runs to success.
func TestGroupCancelRacingAdd(t *testing.T) {
	for round := range 200 {
		s := sched.New(sched.Options{Jobs: 2})
		g := schedx.NewGroup(s, "race")
		const n = 4
		tasks := make([]*sched.Task, n)
		added := make([]bool, n)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range tasks {
				tasks[i] = &sched.Task{Func: "test.echo"}
				err := g.Add(tasks[i])
				if err != nil && !errors.Is(err, schedx.ErrGroupClosed) {
					t.Errorf("Add: %v", err)
				}
				added[i] = err == nil
			}
		}()
		go func() {
			defer wg.Done()
			g.Cancel()
		}()
		wg.Wait()
		run(t, s)
		for i, task := range tasks {
			if st := task.State(); added[i] && st != sched.StateCanceled {
				t.Fatalf("round %d: task %d added to a group canceled at the same time ended %s", round, i, st)
			}
		}
		st := g.Wait()
		if st.Complete != st.Total || st.Canceled != st.Total {
			t.Fatalf("round %d: group status %+v, want every task canceled", round, st)
		}
	}
}
