package engine

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/graph"
)

// BuildLogPath is where the log of the last build is kept, relative to the
// Buildfile's folder.
var BuildLogPath = filepath.Join(".gobuildj", "log", "last.log")

// buildLog is a Status that writes the story of a build to
// .gobuildj/log/last.log, and passes every event on to the Status it wraps.
// It answers "what did each command print, and in which order did they
// end?" after the terminal has scrolled away: each command's output is
// written whole, in completion order, under a header naming its target, its
// outcome, its worker and its commands. The file is replaced when a build
// starts its first command (a build with nothing to run keeps the last
// log), and written as the build goes (tail -f works); a build killed
// midway leaves what was written so far.
// Like any Status it may be called from more than one goroutine (an
// interrupt notice comes from the signal watcher): mu orders the writes.
type buildLog struct {
	Status // the wrapped status
	g      *graph.Graph
	start  time.Time

	mu     sync.Mutex
	opened bool
	f      *os.File
	n      int   // targets finished
	err    error // the first error; later writes are skipped
}

// newBuildLog returns st wrapped by the log of a build of g.
func newBuildLog(g *graph.Graph, st Status, start time.Time) *buildLog {
	return &buildLog{Status: st, g: g, start: start}
}

// open replaces the last log with this build's, once; l.mu is held.
func (l *buildLog) open() {
	if l.opened {
		return
	}
	l.opened = true
	path := filepath.Join(l.g.Root, BuildLogPath)
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		l.err = fmt.Errorf("build log: %w", err)
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		l.err = fmt.Errorf("build log: %w", err)
		return
	}
	l.f = f
	l.write(fmt.Sprintf("# gobuildj build of %s, started %s\n", l.g.File, l.start.Format(time.RFC3339)))
}

// Started implements Status: the first command opens the log.
func (l *buildLog) Started(ev StartEvent) {
	l.mu.Lock()
	l.open()
	l.mu.Unlock()
	l.Status.Started(ev)
}

// Finished implements Status: the target's block goes to the log.
func (l *buildLog) Finished(ev FinishEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open() // a target that failed before it started
	l.n++
	var b strings.Builder
	outcome := "ok"
	if !ev.OK {
		outcome = "FAILED"
		if ev.Why != "" {
			outcome += " (" + ev.Why + ")"
		}
	}
	fmt.Fprintf(&b, "\n=== %d. %s: %s in %s", l.n, ev.Target, outcome, roundDuration(ev.End.Sub(ev.Start)))
	if ev.Worker != 0 {
		fmt.Fprintf(&b, ", worker %d", ev.Worker)
	}
	fmt.Fprintf(&b, ", ended %s\n", ev.End.Format("15:04:05.000"))
	if ev.Description != ev.Target {
		fmt.Fprintf(&b, "# %s\n", ev.Description)
	}
	if t, ok := l.g.Lookup(ev.Target); ok {
		for _, c := range t.Cmds {
			fmt.Fprintf(&b, "$ %s\n", c)
		}
	}
	if !ev.OK && ev.Cmd != "" {
		fmt.Fprintf(&b, "# failed: %s\n", ev.Cmd)
	}
	b.Write(ev.Output)
	if n := len(ev.Output); n > 0 && ev.Output[n-1] != '\n' {
		b.WriteString("\n# (no newline at the end of the output)\n")
	}
	l.write(b.String())
	l.Status.Finished(ev) // under l.mu: the log and the screen agree on the order
}

// Message implements Status: notices (an interrupt) go to the log too.
func (l *buildLog) Message(text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.write("\n# " + strings.TrimSuffix(text, "\n") + "\n")
	l.Status.Message(text)
}

// Done implements Status: the summary ends the log, which is closed. A
// failure to write the log is reported before the summary; it does not fail
// the build.
func (l *buildLog) Done(sum Summary) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.opened {
		l.Status.Done(sum)
		return
	}
	l.write("\n" + sum.String() + "\n")
	if err := l.closeLocked(); err != nil {
		l.Status.Message("gobuildj: warning: " + err.Error())
	}
	l.Status.Done(sum)
}

// write appends s to the log; l.mu is held.
func (l *buildLog) write(s string) {
	if l.err != nil || l.f == nil {
		return
	}
	if _, err := io.WriteString(l.f, s); err != nil {
		l.err = fmt.Errorf("build log: %w", err)
	}
}

// close closes the file, if Done did not.
func (l *buildLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.closeLocked() // Done reports errors; this is for a build that failed before
}

// closeLocked closes the file (once) and returns the first error met; l.mu
// is held.
func (l *buildLog) closeLocked() error {
	if l.f == nil {
		return l.err
	}
	err := l.f.Close()
	l.f = nil
	if err != nil && l.err == nil {
		l.err = fmt.Errorf("build log: %w", err)
	}
	return l.err
}
