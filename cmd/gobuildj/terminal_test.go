package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"
	"golang.org/x/sys/unix"
)

// warnings is a project of two targets that each print a warning.
const warnings = `
default = ["a", "b"]
[targets.a]
description = "MAKE A"
cmd = "echo a >> ran.log; echo warning-from-a"
[targets.b]
description = "MAKE B"
cmd = "echo b >> ran.log; echo warning-from-b"
`

func TestTerminalLabelsOutput(t *testing.T) {
	// On a terminal, as in a log, what a target printed comes under its
	// [n/N] line: a warning can be traced to its target.
	dir := project(t, map[string]string{"Buildfile.toml": warnings})
	out := strings.ReplaceAll(onTerminal(t, dir, nil, "-j2"), "\r\n", "\n")
	assertRan(t, dir, "a", "b")
	for _, name := range []string{"A", "B"} {
		label := regexp.MustCompile(`(^|\n|\r\x1b\[K)\[[12]/2\] MAKE ` + name + "\nwarning-from-" + strings.ToLower(name) + "\n")
		if !label.MatchString(out) {
			t.Errorf("no [n/2] MAKE %s line above its warning:\n%q", name, out)
		}
	}
	if !strings.Contains(out, "\x1b[K") {
		t.Errorf("no live line:\n%q", out)
	}
	out = strings.ReplaceAll(onTerminal(t, dir, nil, "-j2"), "\r\n", "\n")
	assertRan(t, dir)
	if strings.Contains(out, "MAKE") {
		t.Errorf("a build with nothing to run printed a target's line:\n%q", out)
	}
}

// ptyRun is gobuildj running on a pseudo-terminal, with what the terminal
// received so far.
type ptyRun struct {
	cmd    *exec.Cmd
	tty    *os.File
	mu     sync.Mutex
	out    bytes.Buffer
	copied chan struct{}
}

// startOnTerminal starts gobuildj in dir on a new pseudo-terminal (24 rows,
// 100 columns).
func startOnTerminal(t *testing.T, dir string, args ...string) *ptyRun {
	t.Helper()
	master, tty := openPTY(t)
	p := &ptyRun{tty: tty, copied: make(chan struct{})}
	go func() {
		defer close(p.copied)
		defer master.Close()
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return // EIO once the last writer closes
			}
		}
	}()
	p.cmd = exec.Command(binary, args...)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), "CI=", "NO_COLOR=", "GITHUB_ACTIONS=", "TERM=xterm")
	p.cmd.Stdout, p.cmd.Stderr = tty, tty
	if err := p.cmd.Start(); err != nil {
		tty.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

func (p *ptyRun) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until what the terminal received after offset from
// matches, and reports whether it did within ten seconds.
func (p *ptyRun) waitFor(from int, match func(string) bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if match(p.output()[from:]) {
			return true
		}
	}
	return false
}

// wait waits for gobuildj to exit and returns all the terminal received.
func (p *ptyRun) wait(t *testing.T) string {
	t.Helper()
	err := p.cmd.Wait()
	p.tty.Close()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	select {
	case <-p.copied:
	case <-time.After(30 * time.Second):
		t.Fatal("the terminal did not close")
	}
	return p.output()
}

// liveDraws are the live lines drawn ("\r" line "\x1b[K") in out.
func liveDraws(out string) []string {
	var lines []string
	for _, m := range regexp.MustCompile("\r([^\r\n\x1b]+)\x1b\\[K").FindAllStringSubmatch(out, -1) {
		lines = append(lines, m[1])
	}
	return lines
}

func TestTerminalResize(t *testing.T) {
	t.Run("build", func(t *testing.T) { testTerminalResize(t, false, false) })
	t.Run("watch", func(t *testing.T) { testTerminalResize(t, true, false) })
	t.Run("server", func(t *testing.T) { testTerminalResize(t, false, true) })
}

// testTerminalResize runs two long commands while the terminal goes from
// 100 columns to 40: gobuildj (or its watch) reads the width again on
// SIGWINCH and each later draw of the live line fits one row of 40 (a
// longer one would wrap and pile up rows at each redraw). One description
// is CJK: two cells a character. Through a build server, the client
// passes the signal on.
func testTerminalResize(t *testing.T, watch, server bool) {
	wait := `i=0; while [ ! -f go ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done`
	dir := project(t, map[string]string{"Buildfile.toml": `
default = ["gen", "doc"]
[targets.gen]
description = "GENERATE the tables of every language from the Unicode data files"
cmd = "echo gen >> ran.log; ` + wait + `"
[targets.doc]
description = "生成 文档 生成 文档 生成 文档 生成 文档 生成 文档 生成 文档"
cmd = "echo doc >> ran.log; ` + wait + `"
`})
	if server {
		startTestServer(t, dir)
	}
	settle()
	args := []string{"-j2"}
	if watch {
		args = []string{"watch", "-j2"}
	}
	p := startOnTerminal(t, dir, args...)
	if !p.waitFor(0, func(s string) bool { return strings.Contains(s, "2 running\x1b[K") }) {
		os.WriteFile(filepath.Join(dir, "go"), nil, 0o644)
		t.Fatalf("the two commands did not start:\n%q", p.wait(t))
	}
	time.Sleep(200 * time.Millisecond) // past the draws of the start
	from := len(p.output())
	if err := unix.IoctlSetWinsize(int(p.tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 40}); err != nil {
		t.Fatal(err)
	}
	// The terminal is not gobuildj's controlling one: the signal the
	// kernel would send its foreground group is sent by hand.
	if err := p.cmd.Process.Signal(syscall.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	if !p.waitFor(from, func(s string) bool { return strings.Contains(s, "\x1b[K") }) {
		t.Errorf("the live line was not drawn again after SIGWINCH")
	}
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if watch {
		if !p.waitFor(from, func(s string) bool { return strings.Contains(s, "gobuildj watch: watching") }) {
			t.Errorf("watch did not end its build")
		}
		p.cmd.Process.Signal(os.Interrupt)
	}
	out := p.wait(t)
	if p.cmd.ProcessState.ExitCode() != 0 {
		t.Fatalf("exit code %d:\n%q", p.cmd.ProcessState.ExitCode(), out)
	}
	assertRan(t, dir, "gen", "doc")
	draws := liveDraws(out[from:])
	if len(draws) == 0 {
		t.Fatalf("no live line after the resize:\n%q", out[from:])
	}
	for _, line := range draws {
		if w := runewidth.StringWidth(line); w > 39 {
			t.Errorf("after the resize to 40 columns, %q takes %d (it wraps)", line, w)
		}
	}
	// Before it, the line used the 100 columns.
	if before := liveDraws(out[:from]); len(before) == 0 || runewidth.StringWidth(before[len(before)-1]) <= 40 {
		t.Errorf("the first line did not use the terminal's width: %q", before)
	}
	r := mustBuild(t, dir)
	assertRan(t, dir)
	if !strings.Contains(r.out, "0 run, 2 up to date") {
		t.Errorf("second build:\n%s", r.out)
	}
	if server && served(t, dir) != 2 {
		t.Errorf("the server ran %d builds, want 2", served(t, dir))
	}
}

func TestQuiet(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": warnings + `
[targets.bad]
cmd = "echo bad >> ran.log; echo oops; exit 3"
`})
	// A success prints what the commands printed, and nothing else.
	r := mustBuild(t, dir, "-s", "-j1")
	assertRan(t, dir, "a", "b")
	if r.out != "warning-from-a\nwarning-from-b\n" && r.out != "warning-from-b\nwarning-from-a\n" {
		t.Errorf("gobuildj -s printed:\n%q\nwant only the two warnings", r.out)
	}
	if r = mustBuild(t, dir, "--quiet"); r.out != "" {
		t.Errorf("gobuildj --quiet with nothing to run printed:\n%q", r.out)
	}
	assertRan(t, dir)
	// A failure is told, and the summary line with it.
	r = gobuildj(t, dir, "-s", "bad")
	assertRan(t, dir, "bad")
	if want := "FAILED: bad (exit code 3)\necho bad >> ran.log; echo oops; exit 3\noops\ngobuildj: 0 run, 0 up to date, 1 failed in "; r.code != 1 || !strings.HasPrefix(r.out, want) || strings.Count(r.out, "\n") != 4 {
		t.Errorf("gobuildj -s of a failure: exit %d\n%q\nwant it to start with %q, on four lines", r.code, r.out, want)
	}
	// On a terminal: no live line either.
	dir = project(t, map[string]string{"Buildfile.toml": warnings})
	out := strings.ReplaceAll(onTerminal(t, dir, nil, "-s", "-j1"), "\r\n", "\n")
	assertRan(t, dir, "a", "b")
	if out != "warning-from-a\nwarning-from-b\n" && out != "warning-from-b\nwarning-from-a\n" {
		t.Errorf("gobuildj -s on a terminal printed:\n%q\nwant only the two warnings", out)
	}
	// Building the roots of a Buildfile with no default is not said either.
	dir = project(t, map[string]string{"Buildfile.toml": "[targets.only]\ncmd = \"echo only >> ran.log\"\n"})
	if r := mustBuild(t, dir, "-s"); r.out != "" {
		t.Errorf("gobuildj -s of a Buildfile with no default printed:\n%q", r.out)
	}
	assertRan(t, dir, "only")
}

func TestStatusFormat(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": warnings})
	r := gobuildjEnv(t, dir, []string{"GOBUILDJ_STATUS=%p %f/%t (%u left) "}, "-j1", "a", "b")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	assertRan(t, dir, "a", "b")
	for _, want := range []string{" 50% 1/2 (1 left) MAKE A\nwarning-from-a\n", "100% 2/2 (0 left) MAKE B\nwarning-from-b\n"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("GOBUILDJ_STATUS lines: want %q in\n%s", want, r.out)
		}
	}
	// Elapsed seconds, with three decimals as ninja's.
	if r = gobuildjEnv(t, dir, []string{"GOBUILDJ_STATUS=[%e] "}, "-B", "-j1", "a"); !regexp.MustCompile(`(?m)^\[\d+\.\d{3}\] MAKE A$`).MatchString(r.out) {
		t.Errorf("%%e:\n%s", r.out)
	}
	assertRan(t, dir, "a")
	// An unknown code is bad usage, found before anything runs.
	r = gobuildjEnv(t, dir, []string{"GOBUILDJ_STATUS=[%f/%T] "}, "-B")
	want := `gobuildj: error: GOBUILDJ_STATUS "[%f/%T] ": unknown code %T at byte 5; expected %f (finished), %t (total), %r (running), %u (remaining), %e (elapsed seconds), %p (percentage) or %%` + "\n"
	if r.code != 2 || r.out != want {
		t.Errorf("bad GOBUILDJ_STATUS: exit %d\n%q\nwant exit 2 and\n%q", r.code, r.out, want)
	}
	assertRan(t, dir)
	if r = mustBuild(t, dir); !strings.Contains(r.out, "0 run, 2 up to date") {
		t.Errorf("a further build:\n%s", r.out)
	}
	assertRan(t, dir)
}
