package console

import (
	"io"
	"strings"

	"github.com/gobuildj/gobuildj/event"
)

// WriteDoctor writes the build doctor's lines (event.Diagnose) after the
// timings: which limit kept ready targets waiting, the cache's share, the
// targets that got slower. It writes nothing when nothing stands out.
func WriteDoctor(w io.Writer, runs []event.Run, sum event.Summary) {
	if sum.DryRun {
		return
	}
	lines := event.Diagnose(runs, sum.Wall, sum.Jobs).Lines()
	if len(lines) == 0 {
		return
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("gobuildj: doctor: " + l + "\n")
	}
	io.WriteString(w, b.String())
}
