package console

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

// minShownWait is the shortest wait for a worker the summary mentions.
const minShownWait = 10 * time.Millisecond

// maxPathLines is how many links of the critical path the summary prints
// before it elides the middle ones.
const maxPathLines = 12

// WriteTimings writes the end-of-build lines about time: the critical path
// with the duration of each link and the slowest targets. It writes nothing
// when fewer than two commands ran, since both lists would be that one
// command.
func WriteTimings(w io.Writer, runs []event.Run, wall time.Duration) {
	if len(runs) < 2 {
		return
	}
	var b strings.Builder
	path := event.CriticalPath(runs)
	var sum time.Duration
	for _, r := range path {
		sum += r.Duration() + r.Wait()
	}
	fmt.Fprintf(&b, "gobuildj: critical path: %s, %s of the %s wall time:\n", plural(len(path), "target"), event.RoundDuration(sum), event.RoundDuration(wall))
	shown := path
	if len(path) > maxPathLines {
		shown = path[:maxPathLines/2]
	}
	for _, r := range shown {
		timingLine(&b, r)
	}
	if len(path) > maxPathLines {
		tail := path[len(path)-maxPathLines/2:]
		var elided time.Duration
		for _, r := range path[maxPathLines/2 : len(path)-len(tail)] {
			elided += r.Duration() + r.Wait()
		}
		fmt.Fprintf(&b, "  %9s  ... %d more targets\n", event.RoundDuration(elided), len(path)-maxPathLines)
		for _, r := range tail {
			timingLine(&b, r)
		}
	}
	fmt.Fprintf(&b, "gobuildj: slowest targets:\n")
	for _, r := range event.Slowest(runs, event.SlowestCount) {
		fmt.Fprintf(&b, "  %9s  %s\n", event.RoundDuration(r.Duration()), r.Target)
	}
	io.WriteString(w, b.String())
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func timingLine(b *strings.Builder, r event.Run) {
	fmt.Fprintf(b, "  %9s  %s", event.RoundDuration(r.Duration()), r.Target)
	if !r.OK {
		b.WriteString(" (failed)")
	}
	if wait := r.Wait(); wait >= minShownWait {
		fmt.Fprintf(b, " (after %s waiting for a worker)", event.RoundDuration(wait))
	}
	b.WriteByte('\n')
}
