package event

import (
	"strings"
	"testing"
	"time"
)

// run is a Run from start to end (ms), queued when it starts.
func run(name string, start, end int, deps ...string) Run {
	return Run{Target: name, Deps: deps, OK: true, Queued: at(start), Start: at(start), End: at(end)}
}

// at is a moment of the synthetic runs, ms milliseconds in.
func at(ms int) time.Time {
	return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond)
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
