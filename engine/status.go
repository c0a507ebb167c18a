package engine

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Status receives the events of a build and shows them to a person. Calls
// may come from more than one goroutine (an interrupt notice arrives while
// commands finish), so implementations lock; a Status never calls back into
// the engine.
type Status interface {
	// Planned says how many commands may run; total can later shrink when
	// a target turns out to be up to date after all (early cutoff).
	Planned(total int)
	// Explain gives the reason a target is about to run (--explain).
	Explain(target, reason string)
	// Started says a target's commands were handed to a worker.
	Started(ev StartEvent)
	// Finished says a target's commands ended, well or not.
	Finished(ev FinishEvent)
	// Skipped says a target planned as maybe-to-run was up to date after
	// all (its deps were rebuilt with the same outputs).
	Skipped(ev SkipEvent)
	// Message prints a line of its own (warnings, interruption notices).
	Message(text string)
	// Done ends the build with its summary.
	Done(sum Summary)
}

// StartEvent is a target whose commands start.
type StartEvent struct {
	Target      string
	Description string // the status text: description, or commands with -v
	Worker      int    // pid of the worker process running it
	Time        time.Time
}

// FinishEvent is a target whose commands ended.
type FinishEvent struct {
	Target      string
	Description string
	OK          bool
	// Cmd is the failing command and Why what happened to it ("exit code
	// 1", "timed out after 1s; killed by SIGTERM"), for a failure.
	Cmd, Why string
	// Output is the whole stdout+stderr of the commands.
	Output     []byte
	Worker     int
	Start, End time.Time
	// Cached is set when the outputs came from a remote cache (nothing
	// ran), Remote when the commands ran on a remote worker.
	Cached, Remote bool
}

// SkipEvent is a target found up to date once its deps were done.
type SkipEvent struct {
	Target string
}

// Summary counts what a build did.
type Summary struct {
	Run, UpToDate, Failed, NotRun int
	// Cached counts the targets whose outputs came from a remote cache
	// (not in Run); Remote the targets of Run that ran remotely.
	Cached, Remote int
	Wall           time.Duration
	Interrupted    bool
	DryRun         bool
}

// String renders the summary line printed at the end of a build.
func (s Summary) String() string {
	if s.DryRun {
		return fmt.Sprintf("gobuildj: dry run: %d to run, %d up to date", s.Run, s.UpToDate)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "gobuildj: %d run", s.Run)
	if s.Remote > 0 {
		fmt.Fprintf(&b, " (%d remotely)", s.Remote)
	}
	if s.Cached > 0 {
		fmt.Fprintf(&b, ", %d cached", s.Cached)
	}
	fmt.Fprintf(&b, ", %d up to date, %d failed", s.UpToDate, s.Failed)
	if s.NotRun > 0 {
		fmt.Fprintf(&b, ", %d not run", s.NotRun)
	}
	fmt.Fprintf(&b, " in %s", roundDuration(s.Wall))
	if s.Interrupted {
		b.WriteString(" (interrupted)")
	}
	return b.String()
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	default:
		return d.Round(100 * time.Microsecond)
	}
}

// ConsoleStatus prints a build the way ninja does: `[done/total] description`
// per command, each command's output whole after it ends, a FAILED block per
// failure and a summary. On a terminal (Live) the status line is redrawn in
// place and output scrolls above it; otherwise plain lines are printed when
// commands finish, so a log never has half lines.
type ConsoleStatus struct {
	mu      sync.Mutex
	out     io.Writer
	live    bool
	color   bool
	width   int
	total   int
	done    int
	running map[string]string // target -> description
	order   []string          // running targets, oldest first
	lineOn  bool              // a live status line is on screen
	lastAt  time.Time
}

// NewConsoleStatus returns a Status writing to out. live selects the
// in-place terminal line (width columns); color allows ANSI colours.
func NewConsoleStatus(out io.Writer, live, color bool, width int) *ConsoleStatus {
	if width <= 0 {
		width = 80
	}
	return &ConsoleStatus{out: out, live: live, color: color, width: width, running: map[string]string{}}
}

// Planned implements Status.
func (c *ConsoleStatus) Planned(total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total = total
}

// Explain implements Status.
func (c *ConsoleStatus) Explain(target, reason string) {
	c.printAbove(fmt.Sprintf("gobuildj explain: %s: %s\n", target, reason))
}

// Started implements Status.
func (c *ConsoleStatus) Started(ev StartEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running[ev.Target] = ev.Description
	c.order = append(c.order, ev.Target)
	if c.live {
		c.drawLocked(fmt.Sprintf("[%d/%d] %s", c.done, c.total, ev.Description), false)
	}
}

// Finished implements Status.
func (c *ConsoleStatus) Finished(ev FinishEvent) {
	target, description, ok, cmd, why, output := ev.Target, ev.Description, ev.OK, ev.Cmd, ev.Why, ev.Output
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.running, target)
	for i, t := range c.order {
		if t == target {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	c.done++
	var b strings.Builder
	if !c.live {
		fmt.Fprintf(&b, "[%d/%d] %s%s\n", c.done, c.total, description, origin(ev))
	}
	if !ok {
		head := "FAILED: " + target
		if why != "" {
			head += " (" + why + ")"
		}
		if c.color {
			head = "\x1b[1;31m" + head + "\x1b[0m"
		}
		b.WriteString(head + "\n")
		if cmd != "" {
			b.WriteString(cmd + "\n")
		}
	}
	b.Write(output)
	if len(output) > 0 && output[len(output)-1] != '\n' {
		b.WriteByte('\n')
	}
	c.clearLocked()
	io.WriteString(c.out, b.String())
	if c.live {
		c.drawLocked(c.liveLineLocked(description), true)
	}
}

// origin marks a line whose outputs came from elsewhere than a local run.
func origin(ev FinishEvent) string {
	switch {
	case ev.Cached:
		return " (remote cache)"
	case ev.Remote:
		return " (remote)"
	}
	return ""
}

// Skipped implements Status.
func (c *ConsoleStatus) Skipped(SkipEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total > 0 {
		c.total--
	}
}

// Message implements Status.
func (c *ConsoleStatus) Message(text string) {
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	c.printAbove(text)
}

// Done implements Status.
func (c *ConsoleStatus) Done(sum Summary) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
	fmt.Fprintln(c.out, sum.String())
}

func (c *ConsoleStatus) printAbove(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
	io.WriteString(c.out, text)
	if c.live && len(c.order) > 0 {
		c.drawLocked(c.liveLineLocked(""), true)
	}
}

// liveLineLocked is the status line while commands run: the oldest running
// target, or the last finished one when nothing runs.
func (c *ConsoleStatus) liveLineLocked(fallback string) string {
	desc := fallback
	if len(c.order) > 0 {
		desc = c.running[c.order[0]]
	}
	line := fmt.Sprintf("[%d/%d] %s", c.done, c.total, desc)
	if n := len(c.order); n > 1 {
		line += fmt.Sprintf(" (+%d running)", n-1)
	}
	return line
}

// drawLocked shows line as the live status line, at most ten times a second
// unless force is set.
func (c *ConsoleStatus) drawLocked(line string, force bool) {
	now := time.Now()
	if !force && c.lineOn && now.Sub(c.lastAt) < 100*time.Millisecond {
		return
	}
	c.lastAt = now
	if r := []rune(line); len(r) > c.width-1 {
		half := (c.width - 4) / 2
		line = string(r[:half]) + "..." + string(r[len(r)-(c.width-4-half):])
	}
	io.WriteString(c.out, "\r"+line+"\x1b[K")
	c.lineOn = true
}

func (c *ConsoleStatus) clearLocked() {
	if c.lineOn {
		io.WriteString(c.out, "\r\x1b[K")
		c.lineOn = false
	}
}
