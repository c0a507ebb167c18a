package console

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/gobuildj/gobuildj/event"
)

// Printer prints a build the way ninja does: `[done/total] description`
// per command, each command's output whole after it ends, a FAILED block per
// failure and a summary with the critical path and the slowest targets. On a
// terminal (Live) the status line is redrawn in place and output scrolls
// above it, under the `[done/total] description` line of the command that
// printed it; otherwise plain lines are printed when commands finish, so a
// log never has half lines. Widths are counted in terminal cells (a CJK
// character takes two).
type Printer struct {
	mu      sync.Mutex
	out     io.Writer
	live    bool
	color   bool
	quiet   bool   // SetQuiet: no status lines, no summary after a success
	status  string // the status prefix's format (SetStatusFormat)
	width   int
	total   int
	done    int
	started int               // commands started in this build
	start   time.Time         // when this build was planned, for %e
	running map[string]string // target -> description
	order   []string          // running targets, oldest first
	lineOn  bool              // a live status line is on screen
	lastAt  time.Time
	drawn   string         // the live line on screen
	runs    []event.Run    // the timing of every command, for the summary
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

// New returns a event.Listener writing to out. live selects the
// in-place terminal line (width columns); color allows ANSI colours.
func New(out io.Writer, live, color bool, width int) *Printer {
	if width <= 0 {
		width = 80
	}
	return &Printer{out: out, live: live, color: color, width: width, status: DefaultStatusFormat, running: map[string]string{}}
}

// SetQuiet makes the printer print only what commands print and their
// failures: no status line or `[done/total]` lines, and no summary after a
// build that succeeded (make -s, ninja --quiet).
func (c *Printer) SetQuiet(quiet bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.quiet = quiet
}

// SetStatusFormat sets the prefix of the status lines (GOBUILDJ_STATUS),
// with ninja's NINJA_STATUS codes: %f finished, %t total, %r running, %u
// remaining (not started), %e elapsed seconds, %p percentage finished, %%
// a percent sign. The default is DefaultStatusFormat. An unknown code is an
// error.
func (c *Printer) SetStatusFormat(spec string) error {
	if err := checkStatusFormat(spec); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status = spec
	return nil
}

// SetWidth gives the printer the terminal's new width (after SIGWINCH);
// the live line is redrawn at once to fit it.
func (c *Printer) SetWidth(width int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if width <= 0 || width == c.width {
		return
	}
	c.width = width
	if c.lineOn && len(c.order) > 0 {
		c.drawLocked(c.liveLineLocked(""), true)
	}
}

// statusLocked is the status prefix of a line, with finished commands
// counted as done.
func (c *Printer) statusLocked(done int) string {
	return formatStatus(c.status, progress{
		finished: done, total: c.total, running: len(c.order), started: c.started,
		elapsed: time.Since(c.start),
	})
}

// EnableGitHubActions makes failures print for a GitHub Actions log: each
// failed target's command and output inside ::group::/::endgroup::, one
// ::error annotation per failure, and one per compiler diagnostic
// (`file:line:col: error: ...`) in its output, with paths relative to
// workspace (the repository's root, GITHUB_WORKSPACE).
func (c *Printer) EnableGitHubActions(workspace string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.github = &gitHubActions{base: workspace}
}

// Planned implements event.Listener. A Printer may show several builds one
// after the other (watch mode); a Planned during a build changes its total.
func (c *Printer) Planned(total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total = total
	if c.building {
		return
	}
	c.building = true
	c.done = 0
	c.started = 0
	c.start = time.Now()
	c.eta = 0
	c.runs = c.runs[:0] // a new build: its own timings
	if c.live && !c.quiet {
		// Redraw the line as time passes, for the ETA.
		c.ticker, c.tickDone = make(chan struct{}), make(chan struct{})
		go c.tick(c.ticker, c.tickDone)
	}
}

// tick redraws the live line every tenth of a second while a build runs
// (only when it changed: the ETA counts down).
func (c *Printer) tick(stop, done chan struct{}) {
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
func (c *Printer) ClearScreen() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live {
		io.WriteString(c.out, "\x1b[H\x1b[2J\x1b[3J")
		c.lineOn = false
	}
}

// Explain implements event.Listener.
func (c *Printer) Explain(target string, why event.Reason) {
	c.printAbove(fmt.Sprintf("gobuildj explain: %s: %s\n", target, why))
}

// Started implements event.Listener.
func (c *Printer) Started(ev event.Start) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running[ev.Target] = ev.Description
	c.order = append(c.order, ev.Target)
	c.started++
	c.eta, c.etaAt = ev.ETA, ev.Time
	if ev.Console {
		// The command writes to the terminal from now on: its status
		// line goes first, and nothing is drawn until it ends.
		c.clearLocked()
		if !c.quiet {
			fmt.Fprintf(c.out, "%s%s\n", c.statusLocked(c.done+1), ev.Description)
		}
		c.console = ev.Target
		return
	}
	if c.live {
		c.drawLocked(c.liveLineLocked(ev.Description), false)
	}
}

// Finished implements event.Listener.
func (c *Printer) Finished(ev event.Finish) {
	target, description, ok, cmd, why, output := ev.Target, ev.Description, ev.OK, ev.Cmd, ev.Why, ev.Output
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ev.Restarted && !ev.Retried {
		c.runs = append(c.runs, event.RunOf(ev))
	}
	c.eta, c.etaAt = ev.ETA, ev.End
	delete(c.running, target)
	for i, t := range c.order {
		if t == target {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	if !ev.Retried {
		c.done++ // a retried target is done once, with its last attempt
	}
	var b strings.Builder
	switch {
	case ev.Retried:
		head := fmt.Sprintf("FAILED, RETRYING: %s", target)
		if why != "" {
			head += " (" + why + ")"
		}
		if c.color {
			head = "\x1b[1;33m" + head + "\x1b[0m"
		}
		b.WriteString(head + "\n")
		if cmd != "" {
			b.WriteString(cmd + "\n")
		}
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
	switch {
	case target == c.console:
		c.console = "" // its status line was printed when it started
	case c.quiet:
	case !c.live || b.Len() > 0:
		// On a terminal too, what a command printed comes under its
		// status line, so that a warning can be traced to its target.
		label := c.statusLocked(c.done) + description + origin(ev) + "\n"
		body := b.String()
		b.Reset()
		b.WriteString(label + body)
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
func origin(ev event.Finish) string {
	switch {
	case ev.Cached:
		return " (remote cache)"
	case ev.Remote:
		return " (remote)"
	}
	return ""
}

// Skipped implements event.Listener.
func (c *Printer) Skipped(ev event.Skip) {
	if ev.Kind != event.SkipCutoff {
		return // never counted in the total
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total > 0 {
		c.total--
	}
}

// Message implements event.Listener.
func (c *Printer) Message(text string) {
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	c.printAbove(text)
}

// Done implements event.Listener.
func (c *Printer) Done(sum event.Summary) {
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
	if c.quiet && sum.Failed == 0 && !sum.Interrupted && !sum.DryRun {
		return // quiet: a success says nothing
	}
	fmt.Fprintln(c.out, sum.String())
	if !sum.DryRun && !c.quiet {
		WriteTimings(c.out, c.runs, sum.Wall)
		WriteDoctor(c.out, c.runs, sum)
	}
}

func (c *Printer) printAbove(text string) {
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
func (c *Printer) liveLineLocked(fallback string) string {
	line := c.statusLocked(c.done)
	if len(c.order) == 0 {
		return line + fallback
	}
	tail := fmt.Sprintf(" | %d running", len(c.order))
	if c.eta > 0 {
		if left := c.eta - time.Since(c.etaAt); left > 0 {
			tail += ", ETA " + formatETA(left)
		}
	}
	room := c.width - 1 - runewidth.StringWidth(tail)
	if room < 30 { // a narrow terminal: the descriptions first
		tail, room = "", c.width-1
	}
	line += c.running[c.order[0]]
	width := runewidth.StringWidth(line)
	for i := 1; i < len(c.order); i++ {
		next := ", " + c.running[c.order[i]]
		// Room for this one, and for " (+N more)" if others follow.
		need := width + runewidth.StringWidth(next)
		if i < len(c.order)-1 {
			need += len(fmt.Sprintf(" (+%d more)", len(c.order)-i-1))
		}
		if need > room {
			return line + fmt.Sprintf(" (+%d more)", len(c.order)-i) + tail
		}
		line += next
		width += runewidth.StringWidth(next)
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

// cutMiddle shortens line to width cells with "..." in its middle.
func cutMiddle(line string, width int) string {
	if runewidth.StringWidth(line) <= width {
		return line
	}
	half := (width - 3) / 2
	return runewidth.Truncate(line, half, "") + runewidth.TruncatePrefix(line, width-half, "...")
}

// drawLocked shows line as the live status line, at most ten times a second
// unless force is set.
func (c *Printer) drawLocked(line string, force bool) {
	if c.console != "" || c.quiet {
		return // the console command has the terminal, or no status is shown
	}
	now := time.Now()
	if !force && c.lineOn && now.Sub(c.lastAt) < 100*time.Millisecond {
		return
	}
	c.lastAt = now
	c.drawn = line
	// One cell short of the width: a line that fills it would wrap in
	// some terminals.
	line = cutMiddle(line, max(c.width-1, 4))
	io.WriteString(c.out, "\r"+line+"\x1b[K")
	c.lineOn = true
}

func (c *Printer) clearLocked() {
	if c.lineOn {
		io.WriteString(c.out, "\r\x1b[K")
		c.lineOn = false
	}
}
