package console

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

func TestFormatStatus(t *testing.T) {
	p := progress{finished: 3, total: 8, running: 2, started: 5, elapsed: 1500 * time.Millisecond}
	for spec, want := range map[string]string{
		DefaultStatusFormat:   "[3/8] ",
		"[%f/%t %r running] ": "[3/8 2 running] ",
		"%u left, %e s: ":     "3 left, 1.500 s: ",
		"%p|":                 " 37%|",
		"100%% [%f of %t] ":   "100% [3 of 8] ",
		"":                    "",
		"no codes ":           "no codes ",
		"[%f/%t]%%%p%%":       "[3/8]% 37%%",
	} {
		if err := checkStatusFormat(spec); err != nil {
			t.Errorf("%q: %v", spec, err)
		}
		if got := formatStatus(spec, p); got != want {
			t.Errorf("formatStatus(%q) = %q, want %q", spec, got, want)
		}
	}
	if got := formatStatus("%p", progress{}); got != "  0%" {
		t.Errorf("%%p of no commands: %q", got)
	}
	if got := formatStatus("%u", progress{total: 2, started: 3}); got != "0" {
		t.Errorf("%%u after a restart: %q", got)
	}
}

func TestCheckStatusFormat(t *testing.T) {
	for spec, want := range map[string]string{
		"[%f/%x] ": "unknown code %x at byte 5; expected %f (finished), %t (total), %r (running), %u (remaining), %e (elapsed seconds), %p (percentage) or %%",
		"[%f] %":   "a lone % at its end; expected",
	} {
		err := checkStatusFormat(spec)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("checkStatusFormat(%q) = %v, want %q", spec, err, want)
		}
	}
	if err := New(&bytes.Buffer{}, false, false, 80).SetStatusFormat("%z"); err == nil {
		t.Error("SetStatusFormat took %z")
	}
}

func TestConsoleStatusFormat(t *testing.T) {
	for _, live := range []bool{false, true} {
		var out bytes.Buffer
		s := New(&out, live, false, 80)
		if err := s.SetStatusFormat("(%f of %t, %r running, %u to start) "); err != nil {
			t.Fatal(err)
		}
		s.Planned(3)
		s.Started(event.Start{Target: "a", Description: "A"})
		s.Started(event.Start{Target: "b", Description: "B"})
		s.Finished(event.Finish{Target: "a", Description: "A", OK: true, Output: []byte("from a\n")})
		s.Done(event.Summary{Run: 1})
		want := "(1 of 3, 1 running, 1 to start) A\nfrom a\n"
		if live {
			want = "\r(0 of 3, 1 running, 2 to start) A | 1 running\x1b[K\r\x1b[K" + want
		}
		if got := out.String(); !strings.HasPrefix(got, want) {
			t.Errorf("live=%v:\n got %q\nwant %q", live, got, want)
		}
	}
}

func TestConsoleQuiet(t *testing.T) {
	for _, live := range []bool{false, true} {
		var out bytes.Buffer
		s := New(&out, live, false, 80)
		s.SetQuiet(true)
		s.Planned(3)
		s.Started(event.Start{Target: "run", Description: "RUN app", Console: true})
		s.Finished(event.Finish{Target: "run", Description: "RUN app", OK: true})
		s.Started(event.Start{Target: "a", Description: "A"})
		s.Finished(event.Finish{Target: "a", Description: "A", OK: true, Output: []byte("from a\n")})
		s.Started(event.Start{Target: "b", Description: "B"})
		s.Finished(event.Finish{Target: "b", Description: "B", OK: true})
		s.Done(event.Summary{Run: 3, Wall: time.Second})
		if got := out.String(); got != "from a\n" {
			t.Errorf("live=%v: a quiet success printed %q, want only what its commands printed", live, got)
		}

		// A failure is told, with the summary line but not its timings.
		out.Reset()
		s.Planned(1)
		s.Started(event.Start{Target: "c", Description: "C"})
		s.Finished(event.Finish{Target: "c", Description: "C", OK: false, Cmd: "false", Why: "exit code 1", End: time.Now()})
		s.Done(event.Summary{Failed: 1, Wall: time.Second})
		if got, want := out.String(), "FAILED: c (exit code 1)\nfalse\ngobuildj: 0 run, 0 up to date, 1 failed in 1s\n"; got != want {
			t.Errorf("live=%v: a quiet failure printed %q, want %q", live, got, want)
		}
	}
}
