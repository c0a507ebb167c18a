package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flakyBuildfile has a target failing every other run: a counter file
// outside its outputs says which run this is.
const flakyBuildfile = `
[targets."out.txt"]
inputs = ["in.txt"]
cmd = "echo out.txt >> ran.log; n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; if [ $((n % 2)) -eq 0 ]; then echo partial > out.txt; echo boom; exit 1; fi; cp in.txt out.txt"
retries = 2
`

func TestRetriesPassAFlakyTargetAndReportIt(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": flakyBuildfile, "in.txt": "a\n"})
	r := mustBuild(t, dir, "--junit", "junit.xml", "--report", "report.html")
	assertRan(t, dir, "out.txt", "out.txt")
	for _, want := range []string{
		"FAILED, RETRYING: out.txt (exit code 1)",
		"gobuildj: out.txt failed (exit code 1); running it again (retry 1 of 2)",
		"gobuildj: flaky: out.txt failed 1 time, then passed",
		"1 run, 0 up to date, 0 failed, 1 flaky",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	if got := read(t, filepath.Join(dir, "out.txt")); got != "a\n" {
		t.Errorf("out.txt = %q, want the passing attempt's", got)
	}
	junit := read(t, filepath.Join(dir, "junit.xml"))
	if !strings.Contains(junit, `<flakyFailure message="exit code 1" type="failed">`) || strings.Contains(junit, "<failure") {
		t.Errorf("junit.xml does not mark out.txt flaky as Surefire does:\n%s", junit)
	}
	if !strings.Contains(junit, "boom") {
		t.Errorf("junit.xml lacks the failed attempt's output:\n%s", junit)
	}
	if html := read(t, filepath.Join(dir, "report.html")); !strings.Contains(html, `<span class="flaky">(flaky: failed 1 time, then passed)</span>`) {
		t.Errorf("report.html does not say out.txt is flaky")
	}
	r = mustBuild(t, dir)
	assertRan(t, dir)
	if strings.Contains(r.out, "flaky") {
		t.Errorf("a build that ran nothing mentions flakiness:\n%s", r.out)
	}
}

func TestRetriesFlagAndFailureAfterEveryAttempt(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[targets.bad]
outputs = ["bad.out"]
cmd = "echo bad >> ran.log; touch bad.out; exit 3"
`,
	})
	r := gobuildj(t, dir, "--retries", "1", "--junit", "junit.xml")
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", r.code, r.out)
	}
	assertRan(t, dir, "bad", "bad")
	if !strings.Contains(r.out, "retry 1 of 1") || !strings.Contains(r.out, "FAILED: bad (exit code 3)") || strings.Contains(r.out, "flaky") {
		t.Errorf("output:\n%s", r.out)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.out")); err == nil {
		t.Errorf("bad.out of the failed attempts is still there")
	}
	junit := read(t, filepath.Join(dir, "junit.xml"))
	if !strings.Contains(junit, "<rerunFailure") || !strings.Contains(junit, "<failure") {
		t.Errorf("junit.xml lacks the failure and its rerun:\n%s", junit)
	}
	// Without retries the failure counts at once.
	r = gobuildj(t, dir)
	assertRan(t, dir, "bad")
	if strings.Contains(r.out, "retry") {
		t.Errorf("a build without retries retried:\n%s", r.out)
	}
}
