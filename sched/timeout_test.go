package sched_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// A task that overruns its TermTimeout fails and says it timed out, even
// when it then returns a value within its kill grace.
func TestTermTimeoutFailsATaskThatReturnsInTheGrace(t *testing.T) {
	s := sched.New(sched.Options{})
	var res sched.Result
	s.AddTask(&sched.Task{
		Func:        "test.waitdone", // returns a value once Done closes
		TermTimeout: 200 * time.Millisecond,
		KillTimeout: 10 * time.Second,
		OnEnd:       func(r sched.Result) { res = r },
	})
	run(t, s)
	if res.State != sched.StateFailed || !res.TimedOut {
		t.Fatalf("State %s, TimedOut %v, Err %v; want failed and timed out", res.State, res.TimedOut, res.Err)
	}
	var te *sched.TimeoutError
	if !errors.As(res.Err, &te) || te.After != 200*time.Millisecond || te.Err != nil {
		t.Errorf("Err = %#v, want a *TimeoutError after 200ms around no error", res.Err)
	}
	if !strings.Contains(res.Err.Error(), "timed out after 200ms") {
		t.Errorf("Err = %q, want it to say it timed out after 200ms", res.Err)
	}
	if string(res.Value) != "stopped by SIGTERM" {
		t.Errorf("Value = %q, want what the task returned", res.Value)
	}
}
