package console

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

// at is a moment of the synthetic builds below, ms milliseconds in.
func at(ms int) time.Time {
	return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond)
}

// feedBuild sends a event.Listener the events of a small -j2 build: b and a start,
// b warns, c (which needs b) waits 30ms for a worker, a fails with a
// compiler error, d is cut off, c ends last.
func feedBuild(s event.Listener, dir string) {
	s.Planned(4)
	s.Skipped(event.Skip{Target: "e", Description: "CC e.o", Kind: event.SkipUpToDate, Why: "inputs, commands and outputs unchanged since its last run"})
	s.Started(event.Start{Target: "a", Description: "CC a.o", Worker: 11, Time: at(10), Running: 1, Ready: 1})
	s.Started(event.Start{Target: "b", Description: "CC b.o", Worker: 12, Time: at(10), Running: 2})
	s.Finished(event.Finish{Target: "b", Description: "CC b.o", OK: true, Output: []byte("warning: b\n"),
		Dir: dir, Worker: 12, Queued: at(5), Start: at(10), End: at(210), Running: 1})
	s.Explain("c", event.Because(event.InputChanged, "c.c"))
	s.Started(event.Start{Target: "c", Description: "CC c.o", Reason: event.Because(event.InputChanged, "c.c"), Worker: 12, Time: at(240), Running: 2})
	s.Finished(event.Finish{Target: "a", Description: "CC a.o", OK: false, Cmd: "cc -c a.c", Why: "exit code 1",
		Output: []byte("a.c: In function 'main':\na.c:1:2: error: no, 50% sure\na.c:3:1: warning: unused\na.c:1:2: note: see\n"),
		Dir:    dir, Worker: 11, Queued: at(5), Start: at(10), End: at(400), Running: 1})
	s.Skipped(event.Skip{Target: "d", Description: "CC d.o", Kind: event.SkipCutoff, Why: "its deps were rebuilt with identical outputs"})
	s.Finished(event.Finish{Target: "c", Description: "CC c.o", OK: true, Reason: event.Because(event.InputChanged, "c.c"), Deps: []string{"b"},
		Dir: dir, Worker: 12, Queued: at(210), Start: at(240), End: at(540)})
	s.Done(event.Summary{Run: 2, Failed: 1, UpToDate: 2, NotRun: 0, Start: at(0), Wall: 550 * time.Millisecond})
}

func TestConsoleStatusPlain(t *testing.T) {
	var out bytes.Buffer
	s := New(&out, false, false, 80)
	feedBuild(s, "/src")
	want := `[1/4] CC b.o
warning: b
gobuildj explain: c: input c.c changed
[2/4] CC a.o
FAILED: a (exit code 1)
cc -c a.c
a.c: In function 'main':
a.c:1:2: error: no, 50% sure
a.c:3:1: warning: unused
a.c:1:2: note: see
[3/3] CC c.o
gobuildj: 2 run, 2 up to date, 1 failed in 550ms
gobuildj: critical path: 2 targets, 535ms of the 550ms wall time:
      200ms  b
      300ms  c (after 30ms waiting for a worker)
gobuildj: slowest targets:
      390ms  a
      300ms  c
      200ms  b
`
	if got := out.String(); got != want {
		t.Errorf("plain status:\n%s\nwant:\n%s", got, want)
	}
}

func TestConsoleStatusGitHubActions(t *testing.T) {
	var out bytes.Buffer
	s := New(&out, false, false, 80)
	s.EnableGitHubActions("/repo")
	feedBuild(s, "/repo/src")
	want := `[1/4] CC b.o
warning: b
gobuildj explain: c: input c.c changed
[2/4] CC a.o
::group::FAILED: a (exit code 1)
cc -c a.c
a.c: In function 'main':
a.c:1:2: error: no, 50% sure
a.c:3:1: warning: unused
a.c:1:2: note: see
::endgroup::
::error title=a failed (exit code 1)::cc -c a.c%0Aa.c: In function 'main':%0Aa.c:1:2: error: no, 50%25 sure%0Aa.c:3:1: warning: unused%0Aa.c:1:2: note: see
::error file=src/a.c,line=1,col=2,title=a::no, 50%25 sure
::warning file=src/a.c,line=3,col=1,title=a::unused
[3/3] CC c.o
gobuildj: 2 run, 2 up to date, 1 failed in 550ms
`
	if got := out.String(); !strings.HasPrefix(got, want) {
		t.Errorf("GitHub Actions status:\n%s\nwant it to start with:\n%s", got, want)
	}
}

func TestDiagnostics(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	output := strings.Join([]string{
		"# example.com/x",
		"./main.go:3:2: undefined: x",                  // go build: untagged, the file exists
		"vet.go:3:2: printf: bad verb",                 // untagged, no such file: left alone
		"at 12:30:05: done",                            // looks like one, is not
		"/abs/inc.h:7: fatal error: y.h: No such file", // no column, absolute
		"src/b.c:10:4: warning: unused variable 'z'",   // gcc warning
		"    main_test.go:12:5: want 1",                // indented: a test's log line
		"src/b.c:11:1: note: declared here",            // notes are left out
		"src/b.c:12:3: error: expected ';'\r",          // CRLF output
		"\x1b[01m\x1b[Ksrc/b.c:13:1:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[Kcoloured", // gcc -fdiagnostics-color
	}, "\n")
	got := Diagnostics([]byte(output), dir)
	want := []Diagnostic{
		{File: filepath.Join(dir, "main.go"), Line: 3, Col: 2, Severity: "error", Message: "undefined: x"},
		{File: "/abs/inc.h", Line: 7, Severity: "error", Message: "y.h: No such file"},
		{File: filepath.Join(dir, "src/b.c"), Line: 10, Col: 4, Severity: "warning", Message: "unused variable 'z'"},
		{File: filepath.Join(dir, "src/b.c"), Line: 12, Col: 3, Severity: "error", Message: "expected ';'"},
		{File: filepath.Join(dir, "src/b.c"), Line: 13, Col: 1, Severity: "error", Message: "coloured"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Diagnostics:\n got %v\nwant %v", got, want)
	}
}

func TestConsoleStatusLive(t *testing.T) {
	var out bytes.Buffer
	s := New(&out, true, true, 20)
	s.Planned(2)
	s.Started(event.Start{Target: "a", Description: "a very long description of a"})
	s.Started(event.Start{Target: "b", Description: "B"})
	s.Finished(event.Finish{Target: "a", Description: "a very long description of a", OK: false, Cmd: "false", Why: "exit code 1", Output: []byte("oops\n")})
	s.Done(event.Summary{Failed: 1})
	got := out.String()
	for _, want := range []string{
		"\r[0/2] a ...ion of a\x1b[K", // cut to the width, in place
		"\r\x1b[K[1/2] a very long description of a\n\x1b[1;31mFAILED: a (exit code 1)\x1b[0m\nfalse\noops\n", // under its status line
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
	s := New(&out, true, false, 54)
	s.Planned(5)
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		s.Started(event.Start{Target: name, Description: "CC " + name + ".o", Time: time.Now(), ETA: time.Minute})
		time.Sleep(110 * time.Millisecond) // past the redraw limit
	}
	s.Finished(event.Finish{Target: "a", Description: "CC a.o", OK: true, End: time.Now(), ETA: 30 * time.Second})
	s.Done(event.Summary{})
	got := out.String()
	for _, want := range []string{
		"\r[0/5] CC a.o, CC b.o | 2 running, ETA 1m\x1b[K",
		"\r[0/5] CC a.o, CC b.o (+2 more) | 4 running, ETA 1m\x1b[K", // 54 columns hold two, the count and the ETA
		"\r[1/5] CC b.o, CC c.o (+2 more) | 4 running, ETA 30s\x1b[K",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("live status lacks %q:\n%q", want, got)
		}
	}
}

func TestFormatETA(t *testing.T) {
	for d, want := range map[time.Duration]string{
		300 * time.Millisecond: "<1s", 12400 * time.Millisecond: "12s", time.Minute: "1m",
		185 * time.Second: "3m5s", 62 * time.Minute: "1h2m",
	} {
		if got := formatETA(d); got != want {
			t.Errorf("formatETA(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestSummaryDryRun(t *testing.T) {
	if got := (event.Summary{DryRun: true, Run: 3, UpToDate: 2}).String(); got != "gobuildj: dry run: 3 to run, 2 up to date" {
		t.Errorf("dry-run summary %q", got)
	}
}

func TestSummaryStale(t *testing.T) {
	for _, c := range []struct {
		stale []string
		want  string
	}{
		{[]string{"bar.out"}, "gobuildj: 1 run, 0 up to date, 0 failed in 0s; removed 1 stale output: bar.out"},
		{[]string{"a", "b", "c", "d", "e"}, "gobuildj: 1 run, 0 up to date, 0 failed in 0s; removed 5 stale outputs: a, b, c and 2 more"},
	} {
		if got := (event.Summary{Run: 1, Stale: c.stale}).String(); got != c.want {
			t.Errorf("summary %q, want %q", got, c.want)
		}
	}
}

func TestConsoleStatusConsolePool(t *testing.T) {
	for _, live := range []bool{false, true} {
		var out bytes.Buffer
		s := New(&out, live, false, 80)
		s.Planned(2)
		s.Started(event.Start{Target: "run", Description: "RUN app", Console: true})
		out.WriteString("what the command wrote to the terminal\n")
		s.Started(event.Start{Target: "b", Description: "CC b.o"}) // a worker's, meanwhile: nothing drawn
		s.Finished(event.Finish{Target: "run", Description: "RUN app", OK: true})
		s.Finished(event.Finish{Target: "b", Description: "CC b.o", OK: true})
		s.Done(event.Summary{Run: 2})
		want := "[1/2] RUN app\nwhat the command wrote to the terminal\n[2/2] CC b.o\ngobuildj: 2 run, 0 up to date, 0 failed in 0s\n"
		if live {
			// b's end comes within a tenth of a second of the last draw:
			// the line is not drawn again before the summary replaces it.
			want = "[1/2] RUN app\nwhat the command wrote to the terminal\n\r[1/2] CC b.o | 1 running\x1b[K\r\x1b[Kgobuildj: 2 run, 0 up to date, 0 failed in 0s\n"
		}
		if got := out.String(); !strings.HasPrefix(got, want) { // the summary's timings follow
			t.Errorf("live=%v:\n got %q\nwant %q", live, got, want)
		}
	}
}

func TestGitHubActionsInterrupted(t *testing.T) {
	g := &gitHubActions{base: "/repo"}
	got := g.failure(event.Finish{Target: "a", Why: "killed by SIGTERM", Interrupted: true, Dir: "/repo"})
	want := "::group::INTERRUPTED: a (killed by SIGTERM)\n::endgroup::\n::error title=a was interrupted (killed by SIGTERM)::INTERRUPTED: a (killed by SIGTERM)\n"
	if got != want {
		t.Errorf("interrupted target:\n%s\nwant:\n%s", got, want)
	}
}

func TestConsoleStatusSeveralBuilds(t *testing.T) {
	// Watch mode: builds follow one another on one console, and a change
	// during a build raises its total and restarts a target.
	var out bytes.Buffer
	s := New(&out, false, false, 80)
	s.Planned(2)
	s.Finished(event.Finish{Target: "a", Description: "A", OK: true})
	s.Planned(3) // a change joined the build: b runs again
	s.Finished(event.Finish{Target: "b", Description: "B", Restarted: true, Why: "restarted: b.txt changed while it ran"})
	s.Finished(event.Finish{Target: "b", Description: "B", OK: true})
	s.Done(event.Summary{Run: 2, Restarted: 1})
	s.Planned(1)
	s.Finished(event.Finish{Target: "c", Description: "C", OK: true})
	s.Done(event.Summary{Run: 1})
	want := "[1/2] A\n[2/3] B\nRESTARTED: b (restarted: b.txt changed while it ran)\n[3/3] B\n" +
		"gobuildj: 2 run, 0 up to date, 0 failed, 1 restarted in 0s\n"
	got := out.String()
	if !strings.HasPrefix(got, want) {
		t.Errorf("first build:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(got, "[1/1] C\ngobuildj: 1 run, 0 up to date, 0 failed in 0s\n") {
		t.Errorf("the second build does not count from 1:\n%q", got)
	}
}

func TestConsoleStatusClearScreen(t *testing.T) {
	for _, live := range []bool{false, true} {
		var out bytes.Buffer
		New(&out, live, false, 80).ClearScreen()
		if got := out.String(); (got != "") != live {
			t.Errorf("live=%v: ClearScreen wrote %q", live, got)
		}
	}
}

func TestConsoleStatusLiveRedrawsAtMostTenTimesASecond(t *testing.T) {
	var out bytes.Buffer
	s := New(&out, true, false, 80)
	const n = 2000
	s.Planned(n)
	start := time.Now()
	for i := range n {
		name := fmt.Sprintf("t%d", i)
		s.Started(event.Start{Target: name, Description: "CC " + name, Time: time.Now()})
		s.Finished(event.Finish{Target: name, Description: "CC " + name, OK: true, End: time.Now()})
	}
	elapsed := time.Since(start)
	s.Done(event.Summary{Run: n})
	// A draw is "\r[done/total] ..."; the first is at once, then one per
	// tenth of a second at the most (and the ticker's, as often).
	draws := strings.Count(out.String(), "\r[")
	if limit := 1 + 2*int(elapsed/(100*time.Millisecond)+1); draws > limit {
		t.Errorf("%d events in %v drew the line %d times, want at most %d", 2*n, elapsed, draws, limit)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("gobuildj: %d run", n)) {
		t.Errorf("no summary:\n%q", out.String())
	}
}
