package engine

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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
	// Skipped says a target with commands does not run in this build, and
	// why (SkipEvent.Kind): up to date before the build, up to date after
	// all once its deps were rebuilt with the same outputs (the only kind
	// that shrinks Planned's total), blocked by a failed dep, or left when
	// the build stopped.
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
	Reason      string // why it runs, as --explain says it ("input a.c changed")
	Worker      int    // pid of the worker process running it (0: it never reached one; gobuildj's own for Console)
	Time        time.Time
	// Running and Ready count, when the event is sent, the targets whose
	// commands are in workers (this one included) and those handed to the
	// scheduler that wait for a worker or a jobserver token.
	Running, Ready int
	// Console says the commands run in the console pool: they write to
	// the terminal until the target's FinishEvent, so the status steps
	// aside meanwhile.
	Console bool
	// ETA is how long the build should still take, from the durations
	// recorded by the last runs of the targets left (0: unknown).
	ETA time.Duration
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
	Output []byte
	// Reason is why the target ran (as StartEvent.Reason).
	Reason string
	// Dir is the absolute folder its commands ran in: the paths in their
	// output are relative to it.
	Dir string
	// Deps names the targets it waited for that ran in this build: its
	// deps with commands, looking through aliases.
	Deps []string
	// Worker is the pid of the worker that ran it (0: none did).
	Worker int
	// Queued is when its deps were done and it was handed to the
	// scheduler; Start when a worker took it; End when it ended.
	Queued, Start, End time.Time
	// Running and Ready are as in StartEvent, this target no longer
	// counted.
	Running, Ready int
	// Interrupted is set for a target stopped by an interrupt (Ctrl-C)
	// rather than failing on its own.
	Interrupted bool
	// Cached is set when the outputs came from a remote cache (nothing
	// ran), Remote when the commands ran on a remote worker.
	Cached, Remote bool
	// Restarted is set for a target whose commands were stopped because
	// a file they read changed meanwhile (watch mode): it runs again.
	Restarted bool
	// ETA is as in StartEvent.
	ETA time.Duration
}

// SkipKind says why a target's commands did not run.
type SkipKind uint8

const (
	// SkipCutoff: the target was planned to run but turned out up to date
	// once its deps were rebuilt with the same outputs (early cutoff). It
	// is the zero value, and the only kind counted in Planned's total.
	SkipCutoff SkipKind = iota
	// SkipUpToDate: found up to date before the build started.
	SkipUpToDate
	// SkipBlocked: a dep failed, so it could not run.
	SkipBlocked
	// SkipNotRun: the build stopped (after a failure without -k, or an
	// interrupt) before it could run.
	SkipNotRun
)

// String names the kind in a word or two, as reports show it.
func (k SkipKind) String() string {
	switch k {
	case SkipCutoff:
		return "early cutoff"
	case SkipUpToDate:
		return "up to date"
	case SkipBlocked:
		return "blocked"
	case SkipNotRun:
		return "not run"
	}
	return fmt.Sprintf("SkipKind(%d)", uint8(k))
}

// SkipEvent is a target with commands that did not run in this build. Only
// targets with commands get one; aliases never do.
type SkipEvent struct {
	Target      string
	Description string
	Kind        SkipKind
	// Why says it in words: "deps rebuilt with identical outputs", "dep
	// lib failed", "the build stopped after a failure (no -k)".
	Why string
}

// Summary counts what a build did.
type Summary struct {
	Run, UpToDate, Failed, NotRun int
	// Restarted counts the commands stopped and run again because a file
	// they read changed while they ran (watch mode).
	Restarted int
	// Cached counts the targets whose outputs came from a remote cache
	// (not in Run); Remote the targets of Run that ran remotely.
	Cached, Remote int
	// Start is when the build began; Wall how long it took.
	Start       time.Time
	Wall        time.Duration
	Interrupted bool
	DryRun      bool
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
	if s.Restarted > 0 {
		fmt.Fprintf(&b, ", %d restarted", s.Restarted)
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
// failure and a summary with the critical path and the slowest targets. On a
// terminal (Live) the status line is redrawn in place and output scrolls
// above it; otherwise plain lines are printed when commands finish, so a log
// never has half lines.
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
	drawn   string         // the live line on screen
	runs    []Run          // the timing of every command, for the summary
	github  *gitHubActions // nil unless EnableGitHubActions was called
	console string         // the target of the console pool that has the terminal, "" if none
	// building is set between Planned and Done: a Planned during a build
	// (a change in watch mode) changes the total and keeps the count.
	building bool
	eta      time.Duration // the last estimate of the time left, 0 if none
	etaAt    time.Time     // when it was made
	ticker   chan struct{} // closed by Done to stop the redraws of a live line
	tickDone chan struct{}
}

// NewConsoleStatus returns a Status writing to out. live selects the
// in-place terminal line (width columns); color allows ANSI colours.
func NewConsoleStatus(out io.Writer, live, color bool, width int) *ConsoleStatus {
	if width <= 0 {
		width = 80
	}
	return &ConsoleStatus{out: out, live: live, color: color, width: width, running: map[string]string{}}
}

// EnableGitHubActions makes failures print for a GitHub Actions log: each
// failed target's command and output inside ::group::/::endgroup::, one
// ::error annotation per failure, and one per compiler diagnostic
// (`file:line:col: error: ...`) in its output, with paths relative to
// workspace (the repository's root, GITHUB_WORKSPACE).
func (c *ConsoleStatus) EnableGitHubActions(workspace string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.github = &gitHubActions{base: workspace}
}

// Planned implements Status. A ConsoleStatus may show several builds one
// after the other (watch mode); a Planned during a build changes its total.
func (c *ConsoleStatus) Planned(total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total = total
	if c.building {
		return
	}
	c.building = true
	c.done = 0
	c.eta = 0
	c.runs = c.runs[:0] // a new build: its own timings
	if c.live {
		// Redraw the line as time passes, for the ETA.
		c.ticker, c.tickDone = make(chan struct{}), make(chan struct{})
		go c.tick(c.ticker, c.tickDone)
	}
}

// tick redraws the live line every tenth of a second while a build runs
// (only when it changed: the ETA counts down).
func (c *ConsoleStatus) tick(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			c.mu.Lock()
			if c.lineOn && len(c.order) > 0 {
				if line := c.liveLineLocked(""); line != c.drawn {
					c.drawLocked(line, false)
				}
			}
			c.mu.Unlock()
		}
	}
}

// ClearScreen clears the terminal (watch --clear, before each build); it
// does nothing when the output is not a live terminal.
func (c *ConsoleStatus) ClearScreen() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live {
		io.WriteString(c.out, "\x1b[H\x1b[2J\x1b[3J")
		c.lineOn = false
	}
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
	c.eta, c.etaAt = ev.ETA, ev.Time
	if ev.Console {
		// The command writes to the terminal from now on: its status
		// line goes first, and nothing is drawn until it ends.
		c.clearLocked()
		fmt.Fprintf(c.out, "[%d/%d] %s\n", c.done+1, c.total, ev.Description)
		c.console = ev.Target
		return
	}
	if c.live {
		c.drawLocked(c.liveLineLocked(ev.Description), false)
	}
}

// Finished implements Status.
func (c *ConsoleStatus) Finished(ev FinishEvent) {
	target, description, ok, cmd, why, output := ev.Target, ev.Description, ev.OK, ev.Cmd, ev.Why, ev.Output
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ev.Restarted {
		c.runs = append(c.runs, RunOf(ev))
	}
	c.eta, c.etaAt = ev.ETA, ev.End
	delete(c.running, target)
	for i, t := range c.order {
		if t == target {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	c.done++
	var b strings.Builder
	if target == c.console {
		c.console = "" // its status line was printed when it started
	} else if !c.live {
		fmt.Fprintf(&b, "[%d/%d] %s%s\n", c.done, c.total, description, origin(ev))
	}
	switch {
	case ev.Restarted:
		head := "RESTARTED: " + target
		if why != "" {
			head += " (" + why + ")"
		}
		if c.color {
			head = "\x1b[1;33m" + head + "\x1b[0m"
		}
		b.WriteString(head + "\n")
	case !ok && c.github != nil:
		b.WriteString(c.github.failure(ev))
		output = nil
	case !ok:
		head := "FAILED: " + target
		if ev.Interrupted {
			head = "INTERRUPTED: " + target
		}
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
	if b.Len() > 0 {
		// Lines to print: above the live line, which comes back at once.
		c.clearLocked()
		io.WriteString(c.out, b.String())
	}
	if c.live {
		// Else the line is redrawn at most ten times a second (the
		// ticker draws what the limit held back).
		c.drawLocked(c.liveLineLocked(description), b.Len() > 0)
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
func (c *ConsoleStatus) Skipped(ev SkipEvent) {
	if ev.Kind != SkipCutoff {
		return // never counted in the total
	}
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
	if c.ticker != nil {
		close(c.ticker)
		done := c.tickDone
		c.ticker, c.tickDone = nil, nil
		c.mu.Unlock()
		<-done // it takes c.mu
		c.mu.Lock()
	}
	defer c.mu.Unlock()
	c.building = false
	c.clearLocked()
	fmt.Fprintln(c.out, sum.String())
	if !sum.DryRun {
		WriteTimings(c.out, c.runs, sum.Wall)
	}
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

// liveLineLocked is the status line while commands run: the targets
// running now, oldest first, as many as the width holds, then how many more;
// or the last finished one when nothing runs.
// After them come how many run and, when the recorded durations allow, an
// estimate of the time left: "[3/10] CC a.o, CC b.o (+2 more) | 4 running,
// ETA 12s".
func (c *ConsoleStatus) liveLineLocked(fallback string) string {
	line := fmt.Sprintf("[%d/%d] ", c.done, c.total)
	if len(c.order) == 0 {
		return line + fallback
	}
	tail := fmt.Sprintf(" | %d running", len(c.order))
	if c.eta > 0 {
		if left := c.eta - time.Since(c.etaAt); left > 0 {
			tail += ", ETA " + formatETA(left)
		}
	}
	room := c.width - 1 - utf8.RuneCountInString(tail)
	if room < 30 { // a narrow terminal: the descriptions first
		tail, room = "", c.width-1
	}
	line += c.running[c.order[0]]
	width := utf8.RuneCountInString(line)
	for i := 1; i < len(c.order); i++ {
		next := ", " + c.running[c.order[i]]
		// Room for this one, and for " (+N more)" if others follow.
		need := width + utf8.RuneCountInString(next)
		if i < len(c.order)-1 {
			need += len(fmt.Sprintf(" (+%d more)", len(c.order)-i-1))
		}
		if need > room {
			return line + fmt.Sprintf(" (+%d more)", len(c.order)-i) + tail
		}
		line += next
		width += utf8.RuneCountInString(next)
	}
	if width > room { // the first description alone is too long: cut it
		line = cutMiddle(line, max(room, 10))
	}
	return line + tail
}

// formatETA rounds a time left for the status line: "12s", "3m5s", "1h2m".
func formatETA(d time.Duration) string {
	if d < time.Second {
		return "<1s"
	}
	if d >= time.Hour {
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%dm", int(d.Hours()), int(d.Minutes())%60)
	}
	d = d.Round(time.Second)
	m, sec := int(d.Minutes()), int(d.Seconds())%60
	switch {
	case m == 0:
		return fmt.Sprintf("%ds", sec)
	case sec == 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dm%ds", m, sec)
}

// cutMiddle shortens line to width runes with "..." in its middle.
func cutMiddle(line string, width int) string {
	r := []rune(line)
	if len(r) <= width {
		return line
	}
	half := (width - 3) / 2
	return string(r[:half]) + "..." + string(r[len(r)-(width-3-half):])
}

// drawLocked shows line as the live status line, at most ten times a second
// unless force is set.
func (c *ConsoleStatus) drawLocked(line string, force bool) {
	if c.console != "" {
		return // the console command has the terminal
	}
	now := time.Now()
	if !force && c.lineOn && now.Sub(c.lastAt) < 100*time.Millisecond {
		return
	}
	c.lastAt = now
	c.drawn = line
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
