package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// everyOtherBuildfile has a target failing every other run, without
// retries: a counter file outside its outputs says which run this is.
const everyOtherBuildfile = `
[targets."out.txt"]
inputs = ["in.txt"]
cmd = "echo out.txt >> ran.log; n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; if [ $((n % 2)) -eq 0 ]; then echo boom; exit 1; fi; cp in.txt out.txt"
`

// TestFlakyAcrossBuilds: a target that fails in one build and passes in
// the next with nothing changed is flaky, in the output, JUnit and the
// report; so is one that fails with the inputs it passed with. A change of
// inputs in between makes it no longer so.
func TestFlakyAcrossBuilds(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": everyOtherBuildfile, "in.txt": "a\n"})
	build := func(wantCode int, args ...string) string {
		t.Helper()
		settle()
		r := gobuildj(t, dir, args...)
		if r.code != wantCode {
			t.Fatalf("gobuildj %v: exit code %d, want %d:\n%s", args, r.code, wantCode, r.out)
		}
		return r.out
	}
	wants := func(out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("output lacks %q:\n%s", w, out)
			}
		}
	}

	// 1: it fails; nothing is flaky yet.
	out := build(1)
	assertRan(t, dir, "out.txt")
	if strings.Contains(out, "flaky") {
		t.Errorf("a first failure is called flaky:\n%s", out)
	}

	// 2: nothing changed, it passes: flaky.
	out = build(0, "--junit", "junit.xml", "--report", "report.html")
	assertRan(t, dir, "out.txt")
	wants(out,
		"gobuildj: flaky: out.txt failed with the same inputs in an earlier build, passed now",
		"1 run, 0 up to date, 0 failed, 1 flaky")
	junit := read(t, filepath.Join(dir, "junit.xml"))
	if !strings.Contains(junit, `<flakyFailure message="failed with the same inputs in an earlier build (`) ||
		!strings.Contains(junit, `type="flaky"`) || strings.Contains(junit, "<failure") {
		t.Errorf("junit.xml does not mark out.txt flaky as Surefire does:\n%s", junit)
	}
	if html := read(t, filepath.Join(dir, "report.html")); !strings.Contains(html, `<span class="flaky">(flaky: failed with the same inputs in an earlier build (`) {
		t.Errorf("report.html does not say out.txt is flaky")
	}

	// 3: up to date; the flake was told once.
	out = build(0)
	assertRan(t, dir)
	if strings.Contains(out, "flaky") {
		t.Errorf("a build that ran nothing mentions flakiness:\n%s", out)
	}

	// 4: forced to run with the inputs it passed with, it fails: flaky.
	out = build(1, "-B", "--junit", "junit.xml")
	assertRan(t, dir, "out.txt")
	wants(out, "gobuildj: flaky: out.txt passed with the same inputs in an earlier build, failed now", "1 flaky")
	if junit := read(t, filepath.Join(dir, "junit.xml")); !strings.Contains(junit, "exit code 1 (flaky: passed with the same inputs in an earlier build (") {
		t.Errorf("junit.xml does not say the failure is flaky:\n%s", junit)
	}

	// 5: it passes again with the same inputs: flaky.
	out = build(0)
	assertRan(t, dir, "out.txt")
	wants(out, "gobuildj: flaky: out.txt failed with the same inputs in an earlier build, passed now")

	// 6: the input changed and it fails: another key, not flaky.
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte("b\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	out = build(1)
	assertRan(t, dir, "out.txt")
	if strings.Contains(out, "flaky") {
		t.Errorf("a failure with new inputs is called flaky:\n%s", out)
	}

	// 7: changed again, it passes: not flaky either.
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte("c\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	out = build(0)
	assertRan(t, dir, "out.txt")
	if strings.Contains(out, "flaky") {
		t.Errorf("a pass with new inputs is called flaky:\n%s", out)
	}

	build(0)
	assertRan(t, dir)
}
