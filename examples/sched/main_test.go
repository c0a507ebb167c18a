package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/sched"
)

// The test binary is the runner's worker program too.
func TestMain(m *testing.M) {
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	os.Exit(m.Run())
}

func TestRunnerSandboxesKillsAndHandsPorts(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var out, errs strings.Builder
	code := run([]string{"-j", "8", "-n", "100", "-timeout", "1s"}, &out, &errs)
	if code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errs.String())
	}
	text := out.String()
	if !strings.Contains(text, "100 tests in 8 workers") || !strings.Contains(text, ": 99 passed, 0 failed; ") {
		t.Errorf("summary:\n%s", text)
	}
	// The hung test was killed by SIGKILL after ignoring SIGTERM, and the
	// command it started died with its worker's group.
	m := regexp.MustCompile(`\[killed\] hang: worker was killed by SIGKILL at its timeout, as expected; its command \(pid (\d+)\) ran in the group of worker (\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no report of the hung test being killed:\n%s", text)
	}
	for _, pid := range m[1:] {
		if stat, err := os.ReadFile("/proc/" + pid + "/stat"); err == nil && !strings.Contains(string(stat), ") Z ") {
			t.Errorf("process %s of the hung test survived: %s", pid, stat)
		}
	}
	// Each passing test had a port; a clash would have failed its bind.
	ports := regexp.MustCompile(`; (\d+) distinct ports, never one to two running tests`).FindStringSubmatch(text)
	if ports == nil {
		t.Fatalf("no port count:\n%s", text)
	}
	if n, _ := strconv.Atoi(ports[1]); n < 50 {
		t.Errorf("only %d distinct ports for 100 tests", n)
	}
	// Every sandbox was removed, and so was the runner's folder.
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}

func TestRunnerBadFlags(t *testing.T) {
	var out, errs strings.Builder
	if code := run([]string{"-n", "0"}, &out, &errs); code != 2 {
		t.Errorf("-n 0: exit code %d, want 2", code)
	}
}
