package why

import (
	"strings"
)

// String says e as `gobuildj why` prints it: a heading with the verdict,
// then a line per change.
//
//	app: would run (input src/a.c changed)
//	  src/a.c: 3f2a1b2c... -> 9c1b0d3e... (edited 2 min ago)
//	  env CFLAGS: "-O2" -> "-O3"
//	  command changed:
//	    - cmd cc -O2 -c a.c
//	    + cmd cc -O3 -c a.c
func (e *Explanation) String() string {
	var b strings.Builder
	b.WriteString(e.Target)
	switch {
	case !e.Runs:
		b.WriteString(": up to date")
	default:
		b.WriteString(": would run (" + e.Reason + ")")
	}
	b.WriteString("\n")
	for _, c := range e.Changes {
		b.WriteString("  " + c.Text)
		if len(c.Diff) > 0 {
			b.WriteString(":")
		}
		b.WriteString("\n")
		for _, l := range c.Diff {
			b.WriteString("    " + l + "\n")
		}
	}
	if e.Runs && len(e.Changes) == 0 && len(e.DepsRun) == 0 {
		b.WriteString("  its manifest is unchanged: " + e.Reason + "\n")
	}
	if len(e.DepsRun) > 0 {
		b.WriteString("  deps that would run first: " + strings.Join(e.DepsRun, ", ") + "\n")
	}
	return b.String()
}

// ChainText says a chain (from Chain) as `gobuildj why --chain` prints it:
// each target's explanation, then the root cause.
func ChainText(chain []Explanation) string {
	var b strings.Builder
	for i := range chain {
		if i > 0 {
			b.WriteString("because:\n")
		}
		b.WriteString(chain[i].String())
	}
	if n := len(chain); n > 0 {
		last := chain[n-1]
		switch {
		case !last.Runs && n == 1:
		case last.OwnChange() || len(last.DepsRun) == 0:
			b.WriteString("root cause: " + last.Target + "\n")
		}
	}
	return b.String()
}
