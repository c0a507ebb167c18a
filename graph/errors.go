package graph

import (
	"strconv"
	"strings"
)

// Error is a problem in a Buildfile, found before any command runs. It says
// where (file, line and column when known, else the target and key) and what
// was expected, for example:
//
//	Buildfile.toml:12:3: target "app": deps: unknown target "lib" (expected a target name or an output path declared by a target)
//
// Parts that are unknown are left out ("Buildfile.toml: dependency cycle: a -> b -> a").
type Error struct {
	File   string // the Buildfile's path as given to Load, or relative to the current folder if shorter
	Line   int    // 1-based line, 0 if unknown
	Col    int    // 1-based column (in bytes), 0 if unknown
	Target string // the target concerned, "" if none
	Rule   string // the rule concerned ([rules.NAME]), "" if none
	Match  string // with Rule: the file matched by foreach that the problem is about, "" if none
	Key    string // the key concerned, e.g. "deps", "env.CC", "vars.cc", "targets.app"; "" if none
	Msg    string // what is wrong and what was expected
	Err    error  // the underlying cause when there is one (reading the file), for errors.Is
}

// Error formats e as "file:line:col: target "name": key: message" (or
// `rule "name" (match): ` instead of the target).
func (e *Error) Error() string {
	var b strings.Builder
	b.Grow(len(e.File) + len(e.Target) + len(e.Key) + len(e.Msg) + 32)
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Col))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Target != "" {
		b.WriteString("target ")
		b.WriteString(strconv.Quote(e.Target))
		b.WriteString(": ")
	}
	if e.Rule != "" {
		b.WriteString("rule ")
		b.WriteString(strconv.Quote(e.Rule))
		if e.Match != "" {
			b.WriteString(" (")
			b.WriteString(e.Match)
			b.WriteString(")")
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// didYouMean returns `; did you mean "x"?` naming the candidate closest to
// word, or "" when none is close enough to be a likely typo.
func didYouMean(word string, candidates []string) string {
	if s, ok := closest(word, candidates); ok {
		return "; did you mean " + strconv.Quote(s) + "?"
	}
	return ""
}

// closest returns the candidate nearest to word by edit distance (ignoring
// case), if it is within about a third of word's length. Ties go to the
// earliest candidate, so the answer is stable.
func closest(word string, candidates []string) (string, bool) {
	if word == "" {
		return "", false
	}
	lw := strings.ToLower(word)
	limit := max(1, len(word)/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == word {
			continue
		}
		lc := strings.ToLower(c)
		if lc == lw {
			return c, true
		}
		if d := distance(lw, lc, bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}

// distance is the edit distance between a and b, counting a transposition
// of two adjacent bytes as one edit (optimal string alignment), or any
// value >= stop once it is known to reach stop (so long candidates cost
// little).
func distance(a, b string, stop int) int {
	if abs(len(a)-len(b)) >= stop {
		return stop
	}
	prev2 := make([]int, len(b)+1) // row i-2
	prev := make([]int, len(b)+1)  // row i-1
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	prevMin := 0
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		// A later row is reached from this one, or from the previous one
		// by a transposition.
		if rowMin >= stop && prevMin+1 >= stop {
			return stop
		}
		prevMin = rowMin
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// listNames formats up to limit names as "a, b, c" and "... and N more".
func listNames(names []string, limit int) string {
	if len(names) <= limit {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:limit], ", ") + " and " + strconv.Itoa(len(names)-limit) + " more"
}

// TargetError returns an *Error about key of target t, for problems found
// after loading (an input missing at build time). It names the Buildfile as
// Load's own errors do.
func (g *Graph) TargetError(t *Target, key, msg string) *Error {
	file := t.File
	if file == "" {
		file = g.File
	}
	return &Error{File: displayName(file), Target: t.Name, Key: key, Msg: msg}
}
