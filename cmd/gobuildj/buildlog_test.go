package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestBuildLog(t *testing.T) {
	const bf = `
[targets.all]
deps = ["slow", "quick", "bad", "quiet"]
[targets.slow]
description = "SLOW"
cmd = ["echo slow one", "sleep 0.2; echo slow two >&2"]
[targets.quick]
cmd = "printf 'quick, no newline'"
[targets.bad]
cmd = "echo bad output; exit 3"
[targets.quiet]
cmd = "true"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	r := gobuildj(t, dir, "-k", "-j4")
	if r.code != 1 {
		t.Fatalf("exit code %d:\n%s", r.code, r.out)
	}
	logPath := filepath.Join(dir, ".gobuildj", "log", "last.log")
	log := read(t, logPath)

	// One header per target, in completion order: the order in which the
	// console printed them.
	headers := regexp.MustCompile(`(?m)^=== \d+\. (\S+): `).FindAllStringSubmatch(log, -1)
	var logged []string
	for _, h := range headers {
		logged = append(logged, h[1])
	}
	var printed []string
	descs := map[string]string{"SLOW": "slow", "quick": "quick", "bad": "bad", "quiet": "quiet"}
	for _, m := range regexp.MustCompile(`(?m)^\[\d+/\d+\] (\S+)$`).FindAllStringSubmatch(r.out, -1) {
		printed = append(printed, descs[m[1]])
	}
	if len(logged) != 4 || !slices.Equal(logged, printed) {
		t.Errorf("log headers %q, console order %q\nlog:\n%s", logged, printed, log)
	}
	// Each command's output whole, under its header with its commands.
	for _, want := range []string{
		": ok in ",
		"# SLOW\n$ echo slow one\n$ sleep 0.2; echo slow two >&2\nslow one\nslow two\n",
		"$ printf 'quick, no newline'\nquick, no newline\n# (no newline at the end of the output)\n",
		"bad: FAILED (exit code 3) in ",
		"$ echo bad output; exit 3\n# failed: echo bad output; exit 3\nbad output\n",
		"gobuildj: 3 run, 0 up to date, 1 failed",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if !strings.HasSuffix(log, "failed in "+lastField(log)) {
		t.Errorf("the log does not end with the summary:\n%s", log)
	}

	// A build that runs nothing keeps the last log.
	os.Remove(filepath.Join(dir, "Buildfile.toml"))
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(bf, `"bad", `, "", 1))
	mustBuild(t, dir, "quick", "quiet", "slow")
	if again := read(t, logPath); again != log {
		t.Errorf("a build with nothing to run rewrote the log:\n%s", again)
	}
	// A build that runs something replaces it.
	mustBuild(t, dir, "-B", "quiet")
	if again := read(t, logPath); strings.Contains(again, "slow one") || !strings.Contains(again, "=== 1. quiet: ok") {
		t.Errorf("the log of a new build:\n%s", again)
	}
}

// lastField returns the last word of text (the summary's duration).
func lastField(text string) string {
	f := strings.Fields(text)
	return f[len(f)-1] + "\n"
}
