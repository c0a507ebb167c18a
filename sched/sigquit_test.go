package sched_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/gobuildj/gobuildj/sched"
)

// SIGQUIT from KillWorkers stops a worker: its task's Done closes, the
// worker answers and exits with code 0, without a goroutine dump (a Go
// program dumps its goroutines and exits with code 2 on SIGQUIT).
func TestSIGQUITStopsWorkers(t *testing.T) {
	var rec recorder
	s := sched.New(sched.Options{Jobs: 1, OnEvent: rec.record})
	var res sched.Result
	s.AddTask(&sched.Task{
		Func:    "test.sh",
		Payload: []byte("sleep 300"),
		OnMessage: func(*sched.SchedulerContext, []byte) {
			if n := s.KillWorkers(syscall.SIGQUIT); n != 1 {
				t.Errorf("KillWorkers signalled %d workers, want 1", n)
			}
		},
		OnEnd: func(r sched.Result) { res = r },
	})
	run(t, s)
	var exit *sched.WorkerExitError
	if errors.As(res.Err, &exit) {
		t.Errorf("the task's worker died: %v", res.Err)
	} else if res.Err == nil || !strings.Contains(res.Err.Error(), "Done closed by SIGQUIT") {
		t.Errorf("Err = %v, want the command killed and Done closed by SIGQUIT", res.Err)
	}
	if exits := workerExits(&rec); len(exits) != 1 || exits[0] != "exited with code 0" {
		t.Errorf("worker exits %q, want one exited with code 0", exits)
	}
	groupGone(t, res.Worker)
}
