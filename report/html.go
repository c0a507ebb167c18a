package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

//go:embed report.html.tmpl
var pageTemplate string

// page parses the template once, when the first report is written rather
// than when gobuildj starts (every build would pay for it); it is
// read-only afterwards.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Parse(pageTemplate))
})

// The view of a build that report.html.tmpl renders. Positions on the
// timeline are percentages of the build's span, computed here so that the
// page needs no script to draw itself.
type (
	htmlPage struct {
		Title, Verdict, VerdictClass string
		Counts                       string
		Buildfile, Command, Started  string
		Ticks                        []htmlTick
		Lanes                        []htmlLane
		Load                         []htmlLoad
		CriticalSummary              string
		Critical, Slowest, Commands  []htmlRow
		Failures                     []htmlFailure
		Skipped, UpToDate            []event.Skip
		UpToDateSummary              string
		Messages                     []string
		// Doctor is what the build doctor found (event.Diagnose), a
		// line each; Flaky names the targets that failed and then
		// passed.
		Doctor, Flaky []string
		// DepCheck is what --check-deps found (nil without it).
		DepCheck *event.DepCheck
	}
	// htmlLoad is a count over time, drawn as a step line.
	htmlLoad struct {
		Label  string
		Max    int
		Points string // SVG polyline points, x in 0..1000, y in 0..100 (100: none)
		Color  string
	}
	htmlTick struct {
		Style template.CSS
		Label string
	}
	htmlLane struct {
		Label string
		Bars  []htmlBar
	}
	htmlBar struct {
		Href, Target, Label, Title string
		Class                      string
		Style                      template.CSS
	}
	htmlRow struct {
		ID, Target, Description, Reason, Worker string
		Start, Duration, Wait                   string
		Failed, Critical                        bool
		// Flaky says, for a target that failed and then passed, how
		// often it failed ("" for the others).
		Flaky string
	}
	htmlFailure struct {
		ID, Target, Description, Why, Cmd, Output string
	}
)

// WriteHTML writes the build as one self-contained HTML page (inline styles,
// no script, nothing fetched): a timeline with a row per worker and a bar
// per command (the critical path highlighted), the scheduler's load over
// time, the critical path and the slowest targets, each failure with its
// command and output, and what did not run and why.
func WriteHTML(w io.Writer, b *Build, meta Meta) error {
	if err := page().Execute(w, buildPage(b, meta)); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

// flakyNote says how a flaky target was seen to be: how often it failed
// first in this build, or how an earlier build with the same inputs ended
// otherwise ("" if it is not flaky).
func flakyNote(c event.Finish) string {
	if !c.Flaky() {
		return ""
	}
	var notes []string
	if c.OK && c.Failures > 0 {
		times := "times"
		if c.Failures == 1 {
			times = "time"
		}
		notes = append(notes, fmt.Sprintf("failed %d %s, then passed", c.Failures, times))
	}
	if c.FlakyEarlier {
		notes = append(notes, earlierNote(c))
	}
	return "flaky: " + strings.Join(notes, "; ")
}

// earlierNote says how an earlier build ended a target whose same action
// key ends otherwise now (Finish.FlakyEarlier).
func earlierNote(c event.Finish) string {
	then, now := "failed", "passed"
	if !c.OK {
		then, now = now, then
	}
	when := ""
	if !c.EarlierEnd.IsZero() {
		when = " (" + c.EarlierEnd.Local().Format("2006-01-02 15:04:05") + ")"
	}
	return fmt.Sprintf("%s with the same inputs in an earlier build%s, %s now", then, when, now)
}

func buildPage(b *Build, meta Meta) *htmlPage {
	start, end := b.Start(), b.End()
	span := end.Sub(start)
	if span <= 0 {
		span = time.Millisecond
	}
	pct := func(t time.Time) float64 { return 100 * float64(t.Sub(start)) / float64(span) }

	sum := b.Summary
	p := &htmlPage{
		Buildfile: meta.Buildfile,
		Command:   strings.Join(append([]string{"gobuildj"}, meta.Args...), " "),
		Started:   start.Format("2006-01-02 15:04:05 MST"),
	}
	switch {
	case sum.Interrupted:
		p.Verdict, p.VerdictClass = "interrupted", "failed"
	case sum.Failed > 0:
		p.Verdict, p.VerdictClass = fmt.Sprintf("%d failed", sum.Failed), "failed"
	default:
		p.Verdict, p.VerdictClass = "built", "ok"
	}
	p.Title = fmt.Sprintf("gobuildj %s: %s", meta.Folder, p.Verdict)
	p.Counts = fmt.Sprintf("%d run, %d up to date, %d failed, %d not run in %s with -j %d",
		sum.Run, sum.UpToDate, sum.Failed, sum.NotRun, human(sum.Wall), meta.Jobs)
	if sum.Flaky > 0 {
		p.Counts += fmt.Sprintf("; %d flaky", sum.Flaky)
	}

	runs := b.Runs()
	path := event.CriticalPath(runs)
	critical := map[string]bool{}
	var pathTime time.Duration
	for _, r := range path {
		critical[r.Target] = true
		pathTime += r.Duration() + r.Wait()
	}
	if len(path) > 0 {
		noun := "targets"
		if len(path) == 1 {
			noun = "target"
		}
		p.CriticalSummary = fmt.Sprintf("%d %s, %s of the %s wall time", len(path), noun, human(pathTime), human(sum.Wall))
	}
	id := map[string]string{}
	for i, c := range b.Commands {
		id[c.Target] = fmt.Sprintf("cmd-%d", i)
	}
	row := func(c event.Finish) htmlRow {
		worker := "none"
		if c.Worker != 0 {
			worker = fmt.Sprintf("pid %d", c.Worker)
		}
		return htmlRow{
			ID: id[c.Target], Target: c.Target, Description: c.Description, Reason: c.Reason.String(), Worker: worker,
			Start: human(c.Start.Sub(start)), Duration: human(c.End.Sub(c.Start)), Wait: human(c.Start.Sub(c.Queued)),
			Failed: !c.OK, Critical: critical[c.Target], Flaky: flakyNote(c),
		}
	}
	byTarget := map[string]event.Finish{}
	for _, c := range b.Commands {
		byTarget[c.Target] = c
		p.Commands = append(p.Commands, row(c))
		if !c.OK {
			p.Failures = append(p.Failures, htmlFailure{
				ID: id[c.Target], Target: c.Target, Description: c.Description, Why: failureMessage(c),
				Cmd: c.Cmd, Output: plainText(c.Output),
			})
		}
	}
	for _, c := range b.Commands {
		if c.Flaky() {
			p.Flaky = append(p.Flaky, c.Target+": "+flakyNote(c))
		}
	}
	p.Doctor = event.Diagnose(runs, sum.Wall, meta.Jobs).Lines()
	p.DepCheck = sum.DepCheck
	for _, r := range path {
		p.Critical = append(p.Critical, row(byTarget[r.Target]))
	}
	for _, r := range event.Slowest(runs, event.SlowestCount) {
		p.Slowest = append(p.Slowest, row(byTarget[r.Target]))
	}

	for k, lane := range b.Lanes() {
		l := htmlLane{Label: fmt.Sprintf("worker %d · pid %d", k+1, lane.Worker)}
		if lane.Worker == 0 {
			l.Label = "never reached a worker"
		}
		for _, i := range lane.Commands {
			c := b.Commands[i]
			class := "bar"
			if !c.OK {
				class += " failed"
			}
			if critical[c.Target] {
				class += " critical"
			}
			left, width := pct(c.Start), pct(c.End)-pct(c.Start)
			label := c.Target
			if width < minLabelWidth {
				label = "" // a few pixels wide: the tooltip names it
			}
			title := fmt.Sprintf("%s\n%s\nstarted at %s, took %s\nran because: %s", c.Target, c.Description,
				human(c.Start.Sub(start)), human(c.End.Sub(c.Start)), orUnknown(c.Reason.String()))
			if !c.OK {
				title += "\nFAILED: " + failureMessage(c)
			}
			href := "#" + id[c.Target]
			if !c.OK {
				href = "#fail-" + id[c.Target]
			}
			l.Bars = append(l.Bars, htmlBar{
				Href: href, Target: c.Target, Label: label, Title: title, Class: class,
				Style: template.CSS(fmt.Sprintf("left:%.3f%%;width:%.3f%%", left, width)),
			})
		}
		p.Lanes = append(p.Lanes, l)
	}
	for _, t := range ticks(span) {
		left := 100 * float64(t) / float64(span)
		style := fmt.Sprintf("left:%.3f%%", left)
		if left > 94 { // label the last tick on its left, inside the page
			style += ";transform:translateX(-100%);border-left:none;border-right:1px solid var(--rule);padding:0 3px 0 0"
		}
		p.Ticks = append(p.Ticks, htmlTick{Style: template.CSS(style), Label: human(t)})
	}
	if len(b.Load) > 0 {
		p.Load = []htmlLoad{
			loadLine(b, pct, "running", "#4a8fd9", func(s Sample) int { return s.Running }),
			loadLine(b, pct, "ready, waiting", "#8a96a3", func(s Sample) int { return s.Ready }),
		}
	}

	for _, s := range b.Skipped {
		if s.Kind == event.SkipUpToDate {
			p.UpToDate = append(p.UpToDate, s)
		} else {
			p.Skipped = append(p.Skipped, s)
		}
	}
	switch n := len(p.UpToDate); n {
	case 0:
	case 1:
		p.UpToDateSummary = "1 target was up to date: its inputs, commands and outputs had not changed since its last run"
	default:
		p.UpToDateSummary = fmt.Sprintf("%d targets were up to date: their inputs, commands and outputs had not changed since their last run", n)
	}
	p.Messages = b.Messages
	return p
}

// minLabelWidth is the narrowest bar, in percent of the timeline, that
// shows its target's name.
const minLabelWidth = 2.5

// loadLine draws a count of the scheduler's load as a step line scaled to
// its own maximum (the running count is bounded by -j, the ready one by the
// width of the graph, so they do not share an axis). The line is 1000 units
// wide; each unit shows the highest count during its thousandth of the
// build, so that the instant between one command's end and the next one's
// start does not draw as a dip.
func loadLine(b *Build, pct func(time.Time) float64, label, color string, value func(Sample) int) htmlLoad {
	l := htmlLoad{Label: label, Color: color, Max: 1}
	for _, s := range b.Load {
		l.Max = max(l.Max, value(s))
	}
	var sb strings.Builder
	sb.WriteString("0,100")
	prevY := 100.0
	step := func(x float64, v int) {
		y := 100 - 90*float64(v)/float64(l.Max) // the peak 10 units below the top, visible
		if y != prevY {
			fmt.Fprintf(&sb, " %.0f,%.1f %.0f,%.1f", x, prevY, x, y)
			prevY = y
		}
	}
	unit := func(t time.Time) float64 { return math.Round(10 * pct(t)) }
	current := 0 // the count between samples
	for i := 0; i < len(b.Load); {
		x := unit(b.Load[i].Time)
		peak := current
		for ; i < len(b.Load) && unit(b.Load[i].Time) == x; i++ {
			current = value(b.Load[i])
			peak = max(peak, current)
		}
		step(x, peak)
		if i == len(b.Load) || unit(b.Load[i].Time) > x+1 {
			step(x+1, current)
		}
	}
	fmt.Fprintf(&sb, " 1000,%.1f", prevY)
	l.Points = sb.String()
	return l
}

// ticks returns the moments of the timeline's axis: round steps of 1, 2 or
// 5 times a power of ten, about eight of them.
func ticks(span time.Duration) []time.Duration {
	step := time.Duration(1)
search:
	for power := time.Duration(1); power < span; power *= 10 {
		for _, m := range []time.Duration{1, 2, 5} {
			step = m * power
			if span/step < 8 {
				break search
			}
		}
	}
	var out []time.Duration
	for t := time.Duration(0); t <= span; t += step {
		out = append(out, t)
	}
	return out
}

// human rounds a duration for people: 3 significant digits at most.
func human(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}
