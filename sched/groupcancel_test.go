package sched_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/gobuildj/gobuildj/sched"
)

// A task added to a group while the group is canceled is either refused
// (ErrGroupClosed) or canceled: none runs to success.
func TestGroupCancelRacingAdd(t *testing.T) {
	for round := range 200 {
		s := sched.New(sched.Options{Jobs: 2})
		g := s.NewGroup("race")
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
				if err != nil && !errors.Is(err, sched.ErrGroupClosed) {
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
