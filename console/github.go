package console

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/gobuildj/gobuildj/event"
)

// gitHubActions formats failures for a GitHub Actions log: the output of a
// failed target folds into a ::group::, and ::error workflow commands make
// annotations that GitHub shows on the run's summary and, for compiler
// diagnostics, on the lines of the pull request they name.
type gitHubActions struct {
	// base is the folder annotation paths are relative to: the
	// repository's root (GITHUB_WORKSPACE).
	base string
}

// outputTail is how many of a failure's last output lines its annotation
// carries.
const outputTail = 10

// failure returns the lines that stand for a failed target in the log.
func (g *gitHubActions) failure(ev event.Finish) string {
	var b strings.Builder
	head := "FAILED: " + ev.Target
	title := ev.Target + " failed"
	if ev.Interrupted {
		head = "INTERRUPTED: " + ev.Target
		title = ev.Target + " was interrupted"
	}
	if ev.Why != "" {
		head += " (" + ev.Why + ")"
		title += " (" + ev.Why + ")"
	}
	b.WriteString("::group::" + escapeData(head) + "\n")
	if ev.Cmd != "" {
		b.WriteString(ev.Cmd + "\n")
	}
	b.Write(ev.Output)
	if len(ev.Output) > 0 && ev.Output[len(ev.Output)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteString("::endgroup::\n")

	var msg []string
	if ev.Cmd != "" {
		msg = append(msg, ev.Cmd)
	}
	msg = append(msg, lastLines(ansiEscape().ReplaceAll(ev.Output, nil), outputTail)...)
	if len(msg) == 0 {
		msg = append(msg, head)
	}
	fmt.Fprintf(&b, "::error title=%s::%s\n", escapeProperty(title), escapeData(strings.Join(msg, "\n")))
	for _, d := range Diagnostics(ev.Output, ev.Dir) {
		fmt.Fprintf(&b, "::%s file=%s,line=%d", d.Severity, escapeProperty(g.relative(d.File)), d.Line)
		if d.Col > 0 {
			fmt.Fprintf(&b, ",col=%d", d.Col)
		}
		fmt.Fprintf(&b, ",title=%s::%s\n", escapeProperty(ev.Target), escapeData(d.Message))
	}
	return b.String()
}

// relative makes an absolute path relative to the repository's root when it
// lies inside it, as GitHub wants annotation paths.
func (g *gitHubActions) relative(path string) string {
	if g.base == "" {
		return path
	}
	rel, err := filepath.Rel(g.base, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return path
	}
	return rel
}

// Diagnostic is a compiler's message about a line of a file, as gcc, clang
// and the go tools print them: `file:line:col: error: message`.
type Diagnostic struct {
	File      string // absolute
	Line, Col int    // Col is 0 when the tool gave none
	Severity  string // "error" or "warning"
	Message   string
}

// ansiEscape matches the escape sequences of terminal colours (gcc
// -fdiagnostics-color=always), removed before a line is matched. The
// regular expressions are compiled on first use: not every build starts
// paying for them.
var ansiEscape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("\x1b\\[[0-?]*[ -/]*[@-~]") })

// diagnosticLine matches `file:line[:col]: [fatal error|error|warning]: message`.
var diagnosticLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([^\s:][^:]*):(\d+):(?:(\d+):)? (?:(fatal error|error|warning): )?(.+)$`)
})

// Diagnostics finds the compiler diagnostics in a command's output; paths in
// it are relative to dir, the command's folder. A line tagged `error:` or
// `warning:` counts as such; an untagged one (go build, go vet) counts as an
// error when it has a column and names a file that exists, so that a line
// that only looks like one ("at 12:30:05: done") is left alone. Notes are
// left out.
func Diagnostics(output []byte, dir string) []Diagnostic {
	var out []Diagnostic
	for _, line := range bytes.Split(output, []byte("\n")) {
		m := diagnosticLine().FindSubmatch(ansiEscape().ReplaceAll(bytes.TrimRight(line, "\r"), nil))
		if m == nil {
			continue
		}
		d := Diagnostic{File: string(m[1]), Message: string(m[5])}
		fmt.Sscan(string(m[2]), &d.Line)
		if len(m[3]) > 0 {
			fmt.Sscan(string(m[3]), &d.Col)
		}
		if !filepath.IsAbs(d.File) {
			d.File = filepath.Join(dir, d.File)
		}
		switch string(m[4]) {
		case "error", "fatal error":
			d.Severity = "error"
		case "warning":
			d.Severity = "warning"
		default:
			if strings.HasPrefix(d.Message, "note: ") || d.Col == 0 {
				continue
			}
			if st, err := os.Stat(d.File); err != nil || st.IsDir() {
				continue
			}
			d.Severity = "error"
		}
		out = append(out, d)
	}
	return out
}

func lastLines(output []byte, n int) []string {
	lines := strings.Split(strings.TrimRight(string(output), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// escapeData escapes the message of a workflow command.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value of a workflow command.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
