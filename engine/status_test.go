package engine

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestConsoleStatusPlain(t *testing.T) {
	var out bytes.Buffer
	s := NewConsoleStatus(&out, false, false, 80)
	s.Planned(4)
	s.Started(StartEvent{Target: "a", Description: "CC a.o"})
	s.Started(StartEvent{Target: "b", Description: "CC b.o"})
	s.Finished(FinishEvent{Target: "b", Description: "CC b.o", OK: true, Cmd: "", Why: "", Output: []byte("warning: b\n")})
	s.Explain("c", "input c.c changed")
	s.Started(StartEvent{Target: "c", Description: "CC c.o"})
	s.Finished(FinishEvent{Target: "a", Description: "CC a.o", OK: false, Cmd: "cc -c a.c", Why: "exit code 1", Output: []byte("a.c:1:1: error: no")})
	s.Skipped(SkipEvent{Target: "d"})
	s.Finished(FinishEvent{Target: "c", Description: "CC c.o", OK: true, Cmd: "", Why: ""})
	s.Done(Summary{Run: 2, Failed: 1, UpToDate: 4, NotRun: 1, Wall: 1234567 * time.Microsecond})
	want := `[1/4] CC b.o
warning: b
gobuildj explain: c: input c.c changed
[2/4] CC a.o
FAILED: a (exit code 1)
cc -c a.c
a.c:1:1: error: no
[3/3] CC c.o
gobuildj: 2 run, 4 up to date, 1 failed, 1 not run in 1.23s
`
	if got := out.String(); got != want {
		t.Errorf("plain status:\n%s\nwant:\n%s", got, want)
	}
}

func TestConsoleStatusLive(t *testing.T) {
	var out bytes.Buffer
	s := NewConsoleStatus(&out, true, true, 20)
	s.Planned(2)
	s.Started(StartEvent{Target: "a", Description: "a very long description of a"})
	s.Started(StartEvent{Target: "b", Description: "B"})
	s.Finished(FinishEvent{Target: "a", Description: "a very long description of a", OK: false, Cmd: "false", Why: "exit code 1", Output: []byte("oops\n")})
	s.Done(Summary{Failed: 1})
	got := out.String()
	for _, want := range []string{
		"\r[0/2] a ...ion of a\x1b[K", // cut to the width, in place
		"\r\x1b[K\x1b[1;31mFAILED: a (exit code 1)\x1b[0m\nfalse\noops\n",
		"\r[1/2] B\x1b[K",
		"\r\x1b[Kgobuildj: 0 run, 0 up to date, 1 failed in 0s\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("live status lacks %q:\n%q", want, got)
		}
	}
}

func TestConsoleStatusLiveShowsRunningTargets(t *testing.T) {
	var out bytes.Buffer
	s := NewConsoleStatus(&out, true, false, 40)
	s.Planned(5)
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		s.Started(StartEvent{Target: name, Description: "CC " + name + ".o"})
		time.Sleep(110 * time.Millisecond) // past the redraw limit
	}
	s.Finished(FinishEvent{Target: "a", Description: "CC a.o", OK: true})
	got := out.String()
	for _, want := range []string{
		"\r[0/5] CC a.o, CC b.o\x1b[K",
		"\r[0/5] CC a.o, CC b.o, CC c.o (+2 more)\x1b[K", // 40 columns hold three and the count
		"\r[1/5] CC b.o, CC c.o, CC d.o, CC e.o\x1b[K",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("live status lacks %q:\n%q", want, got)
		}
	}
}

func TestSummaryDryRun(t *testing.T) {
	if got := (Summary{DryRun: true, Run: 3, UpToDate: 2}).String(); got != "gobuildj: dry run: 3 to run, 2 up to date" {
		t.Errorf("dry-run summary %q", got)
	}
}
