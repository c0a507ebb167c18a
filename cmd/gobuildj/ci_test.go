package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestGitHubActionsLines(t *testing.T) {
	dir := cProject(t, true)
	workspace := filepath.Dir(dir)
	r := gobuildjEnv(t, dir, []string{"GITHUB_ACTIONS=true", "GITHUB_WORKSPACE=" + workspace}, "-j1")
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1; output:\n%s", r.code, r.out)
	}
	// The compiler's words and positions vary with its version: read them
	// from its own output inside the group, then expect the exact lines.
	start := strings.Index(r.out, "::group::FAILED: util_o (exit code 1)\n")
	end := strings.Index(r.out, "::endgroup::\n")
	if start < 0 || end < start {
		t.Fatalf("no ::group:: ... ::endgroup:: around the failure:\n%s", r.out)
	}
	group := r.out[start:end]
	lines := strings.Split(strings.TrimSuffix(group, "\n"), "\n")
	if lines[1] != "cc -O2 -Wall -Iinclude -c src/util.c -o build/util.o" {
		t.Errorf("the group should open with the failing command, got %q", lines[1])
	}
	output := lines[2:]
	m := regexp.MustCompile(`(?m)^src/util\.c:(\d+):(\d+): error: (.*)$`).FindStringSubmatch(group)
	if m == nil {
		t.Fatalf("no compiler error in the group:\n%s", group)
	}
	tail := output
	if len(tail) > 10 {
		tail = tail[len(tail)-10:]
	}
	message := strings.ReplaceAll(strings.Join(append([]string{lines[1]}, tail...), "\n"), "%", "%25")
	message = strings.ReplaceAll(message, "\n", "%0A")
	want := "::endgroup::\n" +
		"::error title=util_o failed (exit code 1)::" + message + "\n" +
		fmt.Sprintf("::error file=%s/src/util.c,line=%s,col=%s,title=util_o::%s\n", filepath.Base(dir), m[1], m[2], m[3]) +
		"gobuildj: "
	if !strings.Contains(r.out, want) {
		t.Errorf("GitHub lines after the group:\n%s\nwant:\n%s", r.out[end:], want)
	}
	if strings.Count(r.out, "::error ") != 2 {
		t.Errorf("want one ::error per failure and one per compiler error:\n%s", r.out)
	}

	// Outside GitHub Actions, the same failure is a plain FAILED block.
	r = gobuildj(t, dir, "-j1")
	if strings.Contains(r.out, "::") || !strings.Contains(r.out, "FAILED: util_o (exit code 1)\ncc -O2") {
		t.Errorf("without GITHUB_ACTIONS:\n%s", r.out)
	}
}

// durationRe matches Go durations as the summary prints them (1.5ms, 2m3s).
var durationRe = regexp.MustCompile(`(?:\d+(?:\.\d+)?(?:ns|µs|ms|s|m|h))+`)

func TestPlainLog(t *testing.T) {
	dir := cProject(t, false)
	r := mustBuild(t, dir, "-j1")
	if strings.ContainsAny(r.out, "\r\x1b") {
		t.Fatalf("a piped log has carriage returns or escape sequences:\n%q", r.out)
	}
	got := durationRe.ReplaceAllString(r.out, "D")
	got = regexp.MustCompile(` \(after D waiting for a worker\)`).ReplaceAllString(got, "")
	got = regexp.MustCompile(`(?m)^ +D  `).ReplaceAllString(got, "  D  ")
	head, slowest, ok := strings.Cut(got, "gobuildj: slowest targets:\n")
	// The doctor may follow (a -j1 build is limited by -j): not this test's.
	slowest, _, _ = strings.Cut(slowest, "gobuildj: doctor:")
	// Critical path first: greet.o and util.o feed the library, so their
	// chains are a command longer than main.o's.
	want := `[1/6] CC build/greet.o
[2/6] CC build/util.o
[3/6] CC build/main.o
[4/6] AR build/libgreet.a
[5/6] LINK build/app
[6/6] TEST build/app
gobuildj: 6 run, 0 up to date, 0 failed in D
gobuildj: critical path: 4 targets, D of the D wall time:
  D  util_o
  D  lib
  D  app
  D  test
`
	if !ok || head != want {
		t.Errorf("plain log:\n%s\nwant:\n%sgobuildj: slowest targets:\n...", got, want)
	}
	// The five slowest: distinct targets, longest first.
	rows := regexp.MustCompile(`(?m)^ +(\S+)  (\S+)$`).FindAllStringSubmatch(r.out[strings.Index(r.out, "slowest targets:"):], -1)
	if len(rows) != 5 || strings.Count(slowest, "\n") != 5 {
		t.Fatalf("want five slowest targets:\n%s", r.out)
	}
	seen := map[string]bool{}
	prev := time.Duration(1 << 62)
	for _, row := range rows {
		d, err := time.ParseDuration(row[1])
		if err != nil || d > prev || seen[row[2]] {
			t.Errorf("slowest targets not distinct and longest first:\n%s", r.out)
		}
		prev, seen[row[2]] = d, true
	}

	// A second build runs nothing and prints no timings.
	r = mustBuild(t, dir, "-j1")
	if got := durationRe.ReplaceAllString(r.out, "D"); got != "gobuildj: 0 run, 6 up to date, 0 failed in D\n" {
		t.Errorf("no-op log:\n%s", r.out)
	}
}

// openPTY opens a new pseudo-terminal of 24 rows and 100 columns (the
// test is skipped where there is none): the master side, which reads what
// is written to the terminal, and the terminal itself, for a child's
// stdout and stderr.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		t.Fatalf("ptsname: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 100}); err != nil {
		master.Close()
		tty.Close()
		t.Fatal(err)
	}
	return master, tty
}

// onTerminal runs gobuildj in dir with its stdout and stderr on a new
// pseudo-terminal and returns what the terminal received.
func onTerminal(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	master, tty := openPTY(t)
	defer master.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&out, master) // ends with EIO once the last writer closes
		close(done)
	}()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CI=", "NO_COLOR=", "GITHUB_ACTIONS=", "TERM=xterm"), env...)
	cmd.Stdout, cmd.Stderr = tty, tty
	err := cmd.Run()
	tty.Close()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the terminal did not close")
	}
	return out.String()
}

func TestTerminalModes(t *testing.T) {
	const failing = `
[targets.all]
deps = ["ok", "bad"]
[targets.ok]
cmd = "echo fine"
[targets.bad]
deps = ["ok"]
cmd = "echo oops; exit 3"
`
	const red = "\x1b[1;31m"
	cases := []struct {
		name        string
		env, args   []string
		live, color bool
	}{
		{"a terminal gets a live line and colours", nil, nil, true, true},
		{"CI=true gets plain lines without colour", []string{"CI=true"}, nil, false, false},
		{"NO_COLOR keeps the live line, drops colour", []string{"NO_COLOR=1"}, nil, true, false},
		{"--color=never", nil, []string{"--color=never"}, true, false},
		{"--color=always beats NO_COLOR and CI", []string{"CI=true", "NO_COLOR=1"}, []string{"--color=always"}, false, true},
		{"TERM=dumb gets plain lines", []string{"TERM=dumb"}, nil, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, map[string]string{"Buildfile.toml": failing})
			out := onTerminal(t, dir, c.env, append([]string{"-j1"}, c.args...)...)
			if !strings.Contains(out, "oops") || !strings.Contains(out, "FAILED: bad (exit code 3)") {
				t.Fatalf("the build did not fail as planned:\n%q", out)
			}
			if live := strings.Contains(out, "\x1b[K"); live != c.live {
				t.Errorf("live status line: %v, want %v:\n%q", live, c.live, out)
			}
			if color := strings.Contains(out, red); color != c.color {
				t.Errorf("colour: %v, want %v:\n%q", color, c.color, out)
			}
			if !c.live && strings.Contains(out, "\r\x1b") {
				t.Errorf("plain output moves the cursor:\n%q", out)
			}
		})
	}
	// In a pipe, --color=always colours too; auto does not.
	dir := project(t, map[string]string{"Buildfile.toml": failing})
	if r := gobuildjEnv(t, dir, []string{"CI=", "NO_COLOR="}, "--color=always"); !strings.Contains(r.out, red+"FAILED: bad") {
		t.Errorf("--color=always in a pipe:\n%q", r.out)
	}
	if r := gobuildjEnv(t, dir, []string{"CI=", "NO_COLOR="}); strings.Contains(r.out, "\x1b") {
		t.Errorf("a pipe got escape sequences:\n%q", r.out)
	}
}

func TestCompdb(t *testing.T) {
	dir := cProject(t, false)
	r := mustBuild(t, dir, "compdb")
	if !strings.Contains(r.out, "wrote 4 commands to "+filepath.Join(dir, "compile_commands.json")) {
		t.Errorf("compdb said:\n%s", r.out)
	}
	type entry struct{ Directory, Command, File, Output string }
	var all []entry
	if err := json.Unmarshal([]byte(read(t, filepath.Join(dir, "compile_commands.json"))), &all); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range all {
		files = append(files, e.File)
		if e.Directory != dir {
			t.Errorf("%s: directory %q, want %q", e.File, e.Directory, dir)
		}
	}
	// every target with a command and an input; the link and the archive
	// have no input of their own
	if got := fmt.Sprint(files); got != "[src/main.c src/greet.c src/util.c tests/expected.txt]" {
		t.Errorf("compdb files %s", got)
	}
	// The entries are real: each compile command, run in its directory,
	// writes its output (nothing was built before).
	if _, err := os.Stat(filepath.Join(dir, "build")); err == nil {
		t.Fatal("compdb built something")
	}
	os.MkdirAll(filepath.Join(dir, "build"), 0o755)
	for _, e := range all[:3] {
		cmd := exec.Command("/bin/sh", "-c", e.Command)
		cmd.Dir = e.Directory
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", e.Command, err, out)
		}
		if _, err := os.Stat(filepath.Join(e.Directory, e.Output)); err != nil {
			t.Errorf("%s did not write %s", e.Command, e.Output)
		}
	}

	cases := []struct {
		args []string
		want string
	}{
		{[]string{"objs"}, "src/main.c src/greet.c src/util.c"}, // an alias stands for its deps
		{[]string{"build/util.o"}, "src/util.c"},                // a target by output path
		{[]string{"app"}, ""},                                   // the link has no input
		{[]string{"app", "--deps"}, "src/main.c src/greet.c src/util.c"},
		{[]string{"test", "util_o"}, "src/util.c tests/expected.txt"}, // build order
	}
	for _, c := range cases {
		r := mustBuild(t, dir, append([]string{"compdb", "-o", "-"}, c.args...)...)
		var got []entry
		if err := json.Unmarshal([]byte(r.out), &got); err != nil {
			t.Fatalf("compdb %v: %v\n%s", c.args, err, r.out)
		}
		var names []string
		for _, e := range got {
			names = append(names, e.File)
		}
		if strings.Join(names, " ") != c.want {
			t.Errorf("compdb %v: files %v, want %s", c.args, names, c.want)
		}
	}
	if r := gobuildj(t, dir, "compdb", "nope"); r.code != 2 || !strings.Contains(r.out, `unknown target "nope"`) {
		t.Errorf("compdb of an unknown target: exit %d\n%s", r.code, r.out)
	}
}
