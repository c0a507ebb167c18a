package engine

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// run is a Run from start to end (ms), queued when it starts.
func run(name string, start, end int, deps ...string) Run {
	return Run{Target: name, Deps: deps, OK: true, Queued: at(start), Start: at(start), End: at(end)}
}

func names(runs []Run) string {
	var s []string
	for _, r := range runs {
		s = append(s, r.Target)
	}
	return strings.Join(s, " ")
}

func TestCriticalPath(t *testing.T) {
	cases := []struct {
		name string
		runs []Run
		want string
	}{
		{"none", nil, ""},
		{"one", []Run{run("a", 0, 10)}, "a"},
		{"chain", []Run{run("a", 0, 10), run("b", 10, 30, "a"), run("c", 30, 35, "b")}, "a b c"},
		{
			// d waits for b and c; c ends later, so the path goes through c
			// even though b took longer.
			"diamond",
			[]Run{run("a", 0, 10), run("b", 10, 50, "a"), run("c", 12, 60, "a"), run("d", 60, 70, "b", "c")},
			"a c d",
		},
		{
			// an independent long target that ends last is the path alone
			"independent",
			[]Run{run("a", 0, 10), run("b", 10, 20, "a"), run("long", 0, 90)},
			"long",
		},
		{
			// deps that did not run in this build (up to date) are ignored
			"up-to-date deps",
			[]Run{run("a", 0, 10, "gone"), run("b", 10, 20, "a", "also-gone")},
			"a b",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := names(CriticalPath(c.runs)); got != c.want {
				t.Errorf("CriticalPath = %q, want %q", got, c.want)
			}
		})
	}
}

func TestSlowest(t *testing.T) {
	runs := []Run{run("a", 0, 10), run("b", 0, 30), run("c", 0, 30), run("d", 0, 5), run("e", 0, 50), run("f", 0, 1)}
	if got := names(Slowest(runs, 5)); got != "e b c a d" {
		t.Errorf("Slowest = %q, want longest first, ties by name, five at most", got)
	}
	if got := names(runs); got != "a b c d e f" {
		t.Errorf("Slowest reordered its argument: %q", got)
	}
}

func TestWriteTimingsElidesLongPaths(t *testing.T) {
	var runs []Run
	for i := range 20 {
		var deps []string
		if i > 0 {
			deps = []string{fmt.Sprint("t", i-1)}
		}
		runs = append(runs, run(fmt.Sprint("t", i), 10*i, 10*i+10, deps...))
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
