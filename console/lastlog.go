package console

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

// LastLog is a Listener that writes the story of a build to
// .gobuildj/log/last.log (statedir.Dir.LastLog). It answers "what did each command print, and in
// which order did they end?" after the terminal has scrolled away: each
// command's output is written whole, in completion order, under a header
// naming its target, its outcome, its worker and its commands. The file is
// replaced when a build starts its first command (a build with nothing to
// run keeps the last log; each build of a watch session replaces it), and
// written as the build goes (tail -f works); a build killed midway leaves
// what was written so far.
//
// Put it before the printer in a Tee: a failure to write the log is told
// to warn, which the printer shows before the summary. It does not fail
// the build.
type LastLog struct {
	root, buildfile string
	warn            func(string)

	mu     sync.Mutex
	opened bool
	f      *os.File
	n      int   // targets finished
	err    error // the first error; later writes are skipped
}

// NewLastLog returns the log of the builds of buildfile, kept under root
// (the Buildfile's folder); warn, if set, is given the text of a failure
// to write it.
func NewLastLog(root, buildfile string, warn func(string)) *LastLog {
	return &LastLog{root: root, buildfile: buildfile, warn: warn}
}

// open replaces the last log with this build's, once per build; l.mu is
// held.
func (l *LastLog) open() {
	if l.opened {
		return
	}
	l.opened = true
	path := statedir.Of(l.root).LastLog()
	if err := statedir.CheckFolder(filepath.Dir(filepath.Dir(path))); err != nil {
		l.err = fmt.Errorf("build log: %w", err)
		return
	}
	if err := statedir.CheckFolder(filepath.Dir(path)); err != nil {
		l.err = fmt.Errorf("build log: %w", err)
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		l.err = fmt.Errorf("build log: %w", err)
		return
	}
	f, err := statedir.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		l.err = fmt.Errorf("build log: %w", err)
		return
	}
	l.f = f
	l.write(fmt.Sprintf("# gobuildj build of %s, started %s\n", l.buildfile, time.Now().Format(time.RFC3339)))
}

// Planned implements event.Listener.
func (l *LastLog) Planned(int) {}

// Explain implements event.Listener.
func (l *LastLog) Explain(string, event.Reason) {}

// Skipped implements event.Listener.
func (l *LastLog) Skipped(event.Skip) {}

// Started implements event.Listener: the first command opens the log.
func (l *LastLog) Started(event.Start) {
	l.mu.Lock()
	l.open()
	l.mu.Unlock()
}

// Finished implements event.Listener: the target's block goes to the log.
func (l *LastLog) Finished(ev event.Finish) {
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
	fmt.Fprintf(&b, "\n=== %d. %s: %s in %s", l.n, ev.Target, outcome, event.RoundDuration(ev.End.Sub(ev.Start)))
	if ev.Worker != 0 {
		fmt.Fprintf(&b, ", worker %d", ev.Worker)
	}
	fmt.Fprintf(&b, ", ended %s\n", ev.End.Format("15:04:05.000"))
	if ev.Description != ev.Target {
		fmt.Fprintf(&b, "# %s\n", ev.Description)
	}
	for _, c := range ev.Cmds {
		fmt.Fprintf(&b, "$ %s\n", c)
	}
	if !ev.OK && ev.Cmd != "" {
		fmt.Fprintf(&b, "# failed: %s\n", ev.Cmd)
	}
	b.Write(ev.Output)
	if n := len(ev.Output); n > 0 && ev.Output[n-1] != '\n' {
		b.WriteString("\n# (no newline at the end of the output)\n")
	}
	l.write(b.String())
}

// Message implements event.Listener: notices (an interrupt) go to the log
// too.
func (l *LastLog) Message(text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.write("\n# " + strings.TrimSuffix(text, "\n") + "\n")
}

// Done implements event.Listener: the summary ends the log, which is
// closed; the next build (watch) opens it anew.
func (l *LastLog) Done(sum event.Summary) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.opened {
		return
	}
	l.write("\n" + sum.String() + "\n")
	err := l.closeLocked()
	l.opened, l.n, l.err = false, 0, nil
	if err != nil && l.warn != nil {
		l.warn("gobuildj: warning: " + err.Error())
	}
}

// Close closes the file, if Done did not (a build that failed before its
// end).
func (l *LastLog) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.closeLocked() // Done reports errors; this is for a build that failed before
}

// write appends s to the log; l.mu is held.
func (l *LastLog) write(s string) {
	if l.err != nil || l.f == nil {
		return
	}
	if _, err := io.WriteString(l.f, s); err != nil {
		l.err = fmt.Errorf("build log: %w", err)
	}
}

// closeLocked closes the file (once) and returns the first error met; l.mu
// is held.
func (l *LastLog) closeLocked() error {
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
