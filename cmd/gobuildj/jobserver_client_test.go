package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// leafJob is a command that logs "+" when it starts and "-" when it ends in
// the shared jobs.log of the test's folder (appends are atomic), so that the
// log tells how many jobs ran at once.
const leafJob = `echo + >> ${log}; sleep 0.3; echo - >> ${log}`

// sleepersBuildfile is a project of n leaf jobs logging to logPath.
func sleepersBuildfile(n int, logPath string, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[vars]\nlog = %q\n[targets.all]\ndeps = [", logPath)
	for i := range n {
		fmt.Fprintf(&b, "\"t%d\", ", i)
	}
	b.WriteString("]\n")
	for i := range n {
		fmt.Fprintf(&b, "[targets.t%d]\ncmd = %q\n", i, leafJob)
	}
	b.WriteString(extra)
	return b.String()
}

// runMake runs make with args in dir, with gobuildj's path in $(GOBUILDJ),
// and returns its combined output and exit code.
func runMake(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"GOBUILDJ=" + binary}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1", "MAKEFLAGS=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	case err != nil:
		t.Fatalf("make: %v", err)
	}
	return out.String(), 0
}

func needMake(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
}

// assertTokensBack fails if make saw a jobserver problem: a client that
// could not use the jobserver, or tokens that did not come back.
func assertTokensBack(t *testing.T, out string) {
	t.Helper()
	for _, bad := range []string{"jobserver unavailable", "INTERNAL", "jobserver tokens"} {
		if strings.Contains(out, bad) {
			t.Errorf("make's output says %q:\n%s", bad, out)
		}
	}
}

func TestJobserverClientUnderMake(t *testing.T) {
	needMake(t)
	// make -j3 runs two gobuildj builds (of four jobs each, one of which
	// runs a nested make of three jobs) beside four jobs of its own: with
	// gobuildj a client of make's jobserver, never more than three jobs
	// run at once, all of them get to run, and every token comes back.
	dir := t.TempDir()
	logPath := filepath.Join(dir, "jobs.log")
	nested := fmt.Sprintf("all: n1 n2 n3\nn1 n2 n3:\n\t@echo + >> %s; sleep 0.3; echo - >> %s\n.PHONY: all n1 n2 n3\n", logPath, logPath)
	write(t, filepath.Join(dir, "p1", "Buildfile.toml"), sleepersBuildfile(3, logPath,
		"[targets.nested]\ndir = \"sub\"\ncmd = \"make -s\"\n[targets.top]\ndeps = [\"all\", \"nested\"]\n"))
	write(t, filepath.Join(dir, "p1", "sub", "Makefile"), nested)
	write(t, filepath.Join(dir, "p2", "Buildfile.toml"), sleepersBuildfile(4, logPath, ""))
	write(t, filepath.Join(dir, "Makefile"), fmt.Sprintf(`all: g1 g2 m1 m2 m3 m4
g1:
	+$(GOBUILDJ) -C p1 top
g2:
	+$(GOBUILDJ) -C p2
m1 m2 m3 m4:
	@echo + >> %s; sleep 0.3; echo - >> %s
.PHONY: all g1 g2 m1 m2 m3 m4
`, logPath, logPath))
	out, code := runMake(t, dir, "-j3")
	if code != 0 {
		t.Fatalf("make -j3: exit code %d:\n%s", code, out)
	}
	assertTokensBack(t, out)
	log := read(t, logPath)
	if n := strings.Count(log, "+"); n != 14 {
		t.Fatalf("%d jobs ran, want 14 (3+3 nested in p1, 4 in p2, 4 of make):\n%s", n, log)
	}
	if m := maxConcurrency(log); m > 3 || m < 2 {
		t.Errorf("at most %d jobs ran at once, want 2 or 3 (make -j3 shared with gobuildj):\n%s", m, log)
	}
}

func TestJobserverClientFailureGivesTokensBack(t *testing.T) {
	needMake(t)
	// A failing target stops gobuildj: the tokens of its running commands
	// go back to make, whose other jobs then run.
	dir := t.TempDir()
	logPath := filepath.Join(dir, "jobs.log")
	write(t, filepath.Join(dir, "p", "Buildfile.toml"), sleepersBuildfile(3, logPath,
		"[targets.bad]\ncmd = \"sleep 0.1; exit 7\"\n[targets.top]\ndeps = [\"all\", \"bad\"]\n"))
	write(t, filepath.Join(dir, "Makefile"), fmt.Sprintf(`all: g m1 m2 m3
g:
	+$(GOBUILDJ) -C p top
m1 m2 m3:
	@echo + >> %s; sleep 0.3; echo - >> %s
.PHONY: all g m1 m2 m3
`, logPath, logPath))
	out, code := runMake(t, dir, "-k", "-j3")
	if code == 0 || !strings.Contains(out, "FAILED: bad (exit code 7)") {
		t.Fatalf("make -k -j3: exit code %d, want the failure of bad:\n%s", code, out)
	}
	assertTokensBack(t, out)
	if m := maxConcurrency(read(t, logPath)); m > 3 {
		t.Errorf("%d jobs ran at once under make -j3", m)
	}
}

func TestJobserverClientInterruptGivesTokensBack(t *testing.T) {
	needMake(t)
	// SIGINT to gobuildj while its commands hold tokens: it stops them,
	// gives every token back and exits 130; make's other jobs finish.
	dir := t.TempDir()
	logPath := filepath.Join(dir, "jobs.log")
	var bf strings.Builder
	fmt.Fprintf(&bf, "[vars]\nlog = %q\n[targets.all]\ndeps = [\"s0\", \"s1\", \"s2\", \"s3\"]\n", logPath)
	for i := range 4 {
		fmt.Fprintf(&bf, "[targets.s%d]\ncmd = \"echo + >> ${log}; sleep 331\"\n", i)
	}
	write(t, filepath.Join(dir, "p", "Buildfile.toml"), bf.String())
	write(t, filepath.Join(dir, "Makefile"), `all: g m1 m2
g:
	+$(GOBUILDJ) -C p --kill-grace 10s & echo $$! > gobuildj.pid; wait $$!
m1 m2:
	@sleep 0.2
.PHONY: all g m1 m2
`)
	type result struct {
		out  string
		code int
	}
	done := make(chan result, 1)
	go func() {
		out, code := runMake(t, dir, "-k", "-j3")
		done <- result{out, code}
	}()
	// Wait until gobuildj runs three commands: its slot and make's two
	// tokens, once m1 and m2 are done.
	if !waitFor(time.Minute, func() bool {
		b, _ := os.ReadFile(logPath)
		return strings.Count(string(b), "+") >= 3
	}) {
		t.Fatalf("gobuildj's commands did not start; jobs.log: %q", read(t, logPath))
	}
	pid, err := strconv.Atoi(strings.TrimSpace(read(t, filepath.Join(dir, "gobuildj.pid"))))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("make did not end after gobuildj was interrupted")
	}
	if r.code == 0 || !strings.Contains(r.out, "interrupted") {
		t.Errorf("make: exit code %d, want gobuildj's interruption:\n%s", r.code, r.out)
	}
	if n := strings.Count(read(t, logPath), "+"); n != 3 {
		t.Errorf("%d of gobuildj's commands started under make -j3, want 3", n)
	}
	assertTokensBack(t, r.out)
	assertNoStrays(t, "sleep 331")
}

func TestJobserverClientOfGobuildj(t *testing.T) {
	// gobuildj under gobuildj: the inner builds are clients of the outer
	// one's jobserver, in either form (fifo is what make 4.4 and ninja
	// 1.13 pass), and the whole tree stays within the outer -j3.
	for _, mode := range []string{"pipe", "fifo"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			logPath := filepath.Join(dir, "jobs.log")
			write(t, filepath.Join(dir, "a", "Buildfile.toml"), sleepersBuildfile(4, logPath, ""))
			write(t, filepath.Join(dir, "b", "Buildfile.toml"), sleepersBuildfile(4, logPath, ""))
			write(t, filepath.Join(dir, "Buildfile.toml"), fmt.Sprintf(`
[targets.all]
deps = ["a", "b"]
[targets.a]
cmd = "%s -C a"
[targets.b]
cmd = "%s -C b"
`, binary, binary))
			r := mustBuild(t, dir, "-j3", "--jobserver", mode)
			if strings.Contains(r.out, "warning") {
				t.Errorf("output:\n%s", r.out)
			}
			log := read(t, logPath)
			if n := strings.Count(log, "+"); n != 8 {
				t.Fatalf("%d jobs ran, want 8:\n%s", n, log)
			}
			if m := maxConcurrency(log); m > 3 || m < 2 {
				t.Errorf("at most %d jobs ran at once, want 2 or 3:\n%s", m, log)
			}
		})
	}
}

func TestJobserverUnavailable(t *testing.T) {
	// MAKEFLAGS that names descriptors gobuildj did not get (a make rule
	// not marked recursive): a warning, and one job at a time, as make does.
	dir := project(t, map[string]string{"Buildfile.toml": sleepersBuildfile(2, "jobs.log", "")})
	cmd := exec.Command(binary)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true", "MAKEFLAGS= -j4 --jobserver-auth=8,9")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !strings.Contains(string(out), "gobuildj: warning: jobserver unavailable: descriptors 8 and 9 of MAKEFLAGS are not its open pipe (add '+' to the make rule that runs gobuildj); using -j1") {
		t.Errorf("output:\n%s", out)
	}
	if m := maxConcurrency(read(t, filepath.Join(dir, "jobs.log"))); m != 1 {
		t.Errorf("%d jobs ran at once, want 1", m)
	}
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); ; time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}
