package console

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/gobuildj/gobuildj/event"
)

// timedRun is an event.Run from start to end (ms), queued when it starts.
func timedRun(name string, start, end int, deps ...string) event.Run {
	return event.Run{Target: name, Deps: deps, OK: true, Queued: at(start), Start: at(start), End: at(end)}
}

func TestWriteTimingsElidesLongPaths(t *testing.T) {
	var runs []event.Run
	for i := range 20 {
		var deps []string
		if i > 0 {
			deps = []string{fmt.Sprint("t", i-1)}
		}
		runs = append(runs, timedRun(fmt.Sprint("t", i), 10*i, 10*i+10, deps...))
	}
	var out bytes.Buffer
	WriteTimings(&out, runs, 200_000_000)
	want := `gobuildj: critical path: 20 targets, 200ms of the 200ms wall time:
       10ms  t0
       10ms  t1
       10ms  t2
       10ms  t3
       10ms  t4
       10ms  t5
       80ms  ... 8 more targets
       10ms  t14
       10ms  t15
       10ms  t16
       10ms  t17
       10ms  t18
       10ms  t19
gobuildj: slowest targets:
       10ms  t0
       10ms  t1
       10ms  t10
       10ms  t11
       10ms  t12
`
	if got := out.String(); got != want {
		t.Errorf("WriteTimings:\n%s\nwant:\n%s", got, want)
	}
	out.Reset()
	WriteTimings(&out, runs[:1], 0)
	if out.Len() != 0 {
		t.Errorf("one command should print no timings, got:\n%s", out.String())
	}
}
