package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// maxConcurrency reads a log of "+" (a job started) and "-" (a job ended)
// lines and returns the most jobs that ran at once.
func maxConcurrency(log string) int {
	cur, max := 0, 0
	for _, l := range strings.Fields(log) {
		switch l {
		case "+":
			cur++
		case "-":
			cur--
		}
		if cur > max {
			max = cur
		}
	}
	return max
}

func TestJobserverBoundsNestedMake(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	// Two targets each run a nested make of six jobs. With -j3 the nested
	// makes share gobuildj's three job slots through the jobserver: more than
	// one job runs at once, never more than three.
	const makefile = `all: j1 j2 j3 j4 j5 j6
j1 j2 j3 j4 j5 j6:
	@echo + >> ../jobs.log; sleep 0.3; echo - >> ../jobs.log
.PHONY: all j1 j2 j3 j4 j5 j6
`
	for _, mode := range []string{"pipe", "fifo"} {
		t.Run(mode, func(t *testing.T) {
			const bf = `
[targets.all]
deps = ["a", "b"]
[targets.a]
dir = "a"
cmd = "make -s"
[targets.b]
dir = "b"
cmd = "make -s"
`
			dir := project(t, map[string]string{"Buildfile.toml": bf, "a/Makefile": makefile, "b/Makefile": makefile})
			if mode == "fifo" {
				if out, err := exec.Command("make", "--version").Output(); err == nil && strings.Contains(string(out), "GNU Make 4.3") {
					t.Skip("GNU make 4.3 reads only the pipe form")
				}
			}
			mustBuild(t, dir, "-j3", "--jobserver", mode)
			log := read(t, filepath.Join(dir, "jobs.log"))
			if n := strings.Count(log, "+"); n != 12 {
				t.Fatalf("%d jobs ran, want 12:\n%s", n, log)
			}
			if m := maxConcurrency(log); m > 3 || m < 2 {
				t.Errorf("at most %d jobs ran at once, want 2 or 3 (-j3 shared through the jobserver):\n%s", m, log)
			}
		})
	}
}

func TestJobserverNone(t *testing.T) {
	const bf = `
[targets.all]
cmd = "echo \"[$MAKEFLAGS]\" > flags.txt"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	mustBuild(t, dir, "--jobserver", "none")
	if got := strings.TrimSpace(read(t, filepath.Join(dir, "flags.txt"))); strings.Contains(got, "jobserver") {
		t.Errorf("MAKEFLAGS with --jobserver none: %s", got)
	}
	mustBuild(t, dir, "-B", "-j7")
	if got := strings.TrimSpace(read(t, filepath.Join(dir, "flags.txt"))); got != "[ -j7 --jobserver-auth=3,4]" {
		t.Errorf("MAKEFLAGS = %s", got)
	}
}

func TestJobserverFifoHoldsTokens(t *testing.T) {
	// A client of the fifo form takes a token and gives it back, as make
	// 4.4 and ninja 1.13 do.
	const bf = `
[targets.all]
cmd = "p=$${MAKEFLAGS##*fifo:}; tok=$$(head -c1 \"$$p\"); printf %s \"$$tok\" > \"$$p\"; echo \"$$tok $$MAKEFLAGS\" > token.txt"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	mustBuild(t, dir, "-j2", "--jobserver", "fifo")
	got := strings.TrimSpace(read(t, filepath.Join(dir, "token.txt")))
	if !strings.HasPrefix(got, "+  -j2 --jobserver-auth=fifo:/") {
		t.Fatalf("token and MAKEFLAGS seen by the command: %q", got)
	}
	fifo := got[strings.Index(got, "fifo:")+len("fifo:"):]
	if _, err := os.Stat(fifo); !os.IsNotExist(err) {
		t.Errorf("the fifo %s was left behind (%v)", fifo, err)
	}
}

func TestJobserverImplicitSlotIsReused(t *testing.T) {
	// At -j2, x takes the implicit slot and y the token; x ends first,
	// then z takes y's token and, when it ends, releases c and d at once.
	// c gets z's token; the slot x freed long ago must go to d. Each
	// waits until the other has started, so they must run together.
	const meet = "touch %[1]s.started; i=0; while [ ! -f %[2]s.started ]; do i=$$((i+1)); [ $$i -gt 200 ] && exit 1; sleep 0.05; done"
	bf := fmt.Sprintf(`
[targets.all]
deps = ["x", "c", "d"]

[targets.x]
cmd = "true"

[targets.y]
cmd = "sleep 0.1"

[targets.z]
deps = ["y"]
cmd  = "sleep 0.3"

[targets.c]
deps = ["z"]
cmd  = "%s"

[targets.d]
deps = ["z"]
cmd  = "%s"
`, fmt.Sprintf(meet, "c", "d"), fmt.Sprintf(meet, "d", "c"))
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	if r := gobuildj(t, dir, "-j2"); r.code != 0 {
		t.Fatalf("c and d did not run together at -j2 (exit %d):\n%s", r.code, r.out)
	}
}
