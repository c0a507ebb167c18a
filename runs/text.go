package runs

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

// shortKey is how many hex digits of a key the text shows.
const shortKey = 12

// WriteList prints one line per record, oldest first: its ID, start
// (local time), wall time and counts.
func WriteList(w io.Writer, recs []*Record) error {
	tw := table(w)
	fmt.Fprintln(tw, "ID\tSTART\tWALL\tRUN\tCACHED\tUP TO DATE\tFAILED\tNOT RUN")
	for _, r := range recs {
		c := r.Counts
		end := ""
		if s := state(r); s != "" {
			end = "  (" + s + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d%s\n", r.ID, r.Start.Local().Format("2006-01-02 15:04:05"),
			round(Duration(r.WallMS)), c.Run, c.Cached, c.UpToDate, c.Failed+c.Interrupted, c.NotRun, end)
	}
	return tw.Flush()
}

// state says how a build ended, when not as usual.
func state(r *Record) string {
	switch {
	case r.Interrupted:
		return "interrupted"
	case !r.Complete:
		return "incomplete"
	}
	return ""
}

// WriteShow prints a record for people: its header, then a line per
// target.
func WriteShow(w io.Writer, r *Record) error {
	fmt.Fprintf(w, "run %s: %s, %s\n", r.ID, r.Buildfile, r.Version)
	flags := fmt.Sprintf("-j%d", r.Flags.Jobs)
	if r.Flags.KeepGoing {
		flags += " -k"
	}
	if r.Flags.Force {
		flags += " -B"
	}
	if r.Flags.Remote != "" {
		flags += " remote " + r.Flags.Remote
	}
	fmt.Fprintf(w, "started %s, took %s, %s\n", r.Start.Local().Format("2006-01-02 15:04:05 MST"), round(Duration(r.WallMS)), flags)
	c := r.Counts
	line := fmt.Sprintf("%d run, %d cached, %d up to date, %d failed, %d not run", c.Run, c.Cached, c.UpToDate, c.Failed, c.NotRun)
	if c.Interrupted > 0 {
		line += fmt.Sprintf(", %d interrupted", c.Interrupted)
	}
	if s := state(r); s != "" {
		line += " (" + s + ")"
	}
	fmt.Fprintln(w, line)
	tw := table(w)
	fmt.Fprintln(tw, "TARGET\tOUTCOME\tTIME\tWORKER\tKEY\tWHY")
	for _, t := range r.Targets {
		dur, worker := "", ""
		if t.Start != nil {
			dur = round(Duration(t.DurationMS)).String()
		}
		if t.Worker != 0 {
			worker = fmt.Sprint(t.Worker)
		}
		if t.Remote {
			worker = "remote"
		}
		outcome := t.Outcome
		if t.Cutoff {
			outcome = "cutoff"
		}
		why := t.Why
		if t.Reason != nil {
			why = t.Reason.Text
			if t.Outcome == Failed && t.Why != "" {
				why += "; " + t.Why
			}
		}
		if t.Outcome == UpToDate {
			why = "" // the same words for all of them
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, outcome, dur, worker, short(t.Key), why)
	}
	return tw.Flush()
}

// WriteDiff prints a Diff for people, a section per kind of difference.
func WriteDiff(w io.Writer, d *Diff) error {
	fmt.Fprintf(w, "runs %s -> %s\n", d.A, d.B)
	if d.Empty() {
		_, err := fmt.Fprintln(w, "no difference: the same targets, keys and outcomes")
		return err
	}
	tw := table(w)
	if len(d.OnlyA) > 0 {
		fmt.Fprintf(tw, "only in %s (%d): %s\n", d.A, len(d.OnlyA), strings.Join(d.OnlyA, " "))
	}
	if len(d.OnlyB) > 0 {
		fmt.Fprintf(tw, "only in %s (%d): %s\n", d.B, len(d.OnlyB), strings.Join(d.OnlyB, " "))
	}
	if len(d.Keys) > 0 {
		fmt.Fprintf(tw, "key changed (%d):\n", len(d.Keys))
		for _, k := range d.Keys {
			why := "up to date in " + d.B + ": a build in between ran it"
			if k.Reason != nil {
				why = k.Reason.Text
			}
			fmt.Fprintf(tw, "  %s\t%s -> %s\t%s\n", k.Target, short(k.A), short(k.B), why)
		}
	}
	if len(d.Outcomes) > 0 {
		fmt.Fprintf(tw, "outcome changed (%d):\n", len(d.Outcomes))
		for _, o := range d.Outcomes {
			fmt.Fprintf(tw, "  %s\t%s -> %s\t%s\n", o.Target, o.A, o.B, o.Why)
		}
	}
	if len(d.Durations) > 0 {
		fmt.Fprintf(tw, "time changed (%d):\n", len(d.Durations))
		for _, c := range d.Durations {
			fmt.Fprintf(tw, "  %s\t%s -> %s\t%s\n", c.Target, round(c.A), round(c.B), ratio(c.A, c.B))
		}
	}
	return tw.Flush()
}

// ratio says how many times slower or faster b is than a.
func ratio(a, b time.Duration) string {
	switch {
	case a > 0 && b >= a:
		return fmt.Sprintf("%.1fx slower", float64(b)/float64(a))
	case b > 0:
		return fmt.Sprintf("%.1fx faster", float64(a)/float64(b))
	}
	return ""
}

// table returns a tabwriter onto w that ends no line with spaces.
func table(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(&trimmer{w: w}, 0, 0, 2, ' ', 0)
}

// trimmer drops the spaces that end the lines written to it: the spaces
// that end a write are held back until what follows them shows whether
// the line goes on.
type trimmer struct {
	w      io.Writer
	spaces int // held back
}

func (t *trimmer) Write(p []byte) (int, error) {
	var b strings.Builder
	for _, c := range string(p) {
		switch c {
		case ' ':
			t.spaces++
			continue
		case '\n':
			t.spaces = 0
		}
		b.WriteString(strings.Repeat(" ", t.spaces))
		t.spaces = 0
		b.WriteRune(c)
	}
	if _, err := io.WriteString(t.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

func short(key string) string {
	if len(key) > shortKey {
		return key[:shortKey]
	}
	return key
}

func round(d time.Duration) time.Duration { return event.RoundDuration(d) }
