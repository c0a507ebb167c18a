package sched_test

import (
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// Tasks added right after idle workers were killed run in new workers:
// a task that a dead worker never started is queued again, not failed, and
// what OnStart sent it follows it.
func TestTasksGivenToKilledIdleWorkersRun(t *testing.T) {
	for _, how := range []string{"KillWorkers", "kill(2)"} {
		t.Run(how, func(t *testing.T) {
			const jobs = 4
			var rec recorder
			s := sched.New(sched.Options{Jobs: jobs, OnEvent: rec.record})
			release := s.Hold()
			var mu sync.Mutex
			ended, failed := 0, 0
			add := func(n int) {
				for range n {
					s.AddTask(&sched.Task{
						// The message sent by OnStart reaches the
						// task wherever it runs.
						Func: "test.waitmsg",
						OnStart: func(ctx *sched.SchedulerContext) {
							if err := ctx.Send([]byte("x")); err != nil {
								t.Errorf("Send from OnStart: %v", err)
							}
						},
						OnEnd: func(r sched.Result) {
							mu.Lock()
							defer mu.Unlock()
							ended++
							if r.Err != nil || string(r.Value) != "x" {
								failed++
								t.Errorf("task: %q, %v", r.Value, r.Err)
							}
						},
					})
				}
			}
			add(jobs)
			done := make(chan error, 1)
			go func() { done <- s.Run() }()
			if !eventually(20*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return ended == jobs && s.ProcessCount() == jobs
			}) {
				t.Fatalf("the first tasks did not end; %d workers", s.ProcessCount())
			}
			if how == "KillWorkers" {
				s.KillWorkers(syscall.SIGKILL)
			} else {
				for _, pid := range rec.live() {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			add(10 * jobs)
			if !eventually(30*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return ended == 11*jobs
			}) {
				t.Errorf("%d tasks ended, want %d", ended, 11*jobs)
			}
			release()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if failed > 0 {
				t.Errorf("%d of %d tasks added after the workers were killed failed", failed, 10*jobs)
			}
		})
	}
}
