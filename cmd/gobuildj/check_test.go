package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The tests of gobuildj check and --check-deps run real commands under the
// tracer and assert each finding, its explanation and the suggested edit.
// Their Buildfiles allow ran.log, which every command appends to.

// checkReport returns what --check-deps printed: from its first line to
// its summary, with the summary's durations left out.
func checkReport(t *testing.T, out string) string {
	t.Helper()
	i := strings.Index(out, "gobuildj check: ")
	if i < 0 {
		t.Fatalf("no check report in:\n%s", out)
	}
	var lines []string
	for _, l := range strings.Split(out[i:], "\n") {
		if !strings.HasPrefix(l, "gobuildj check: ") && !strings.HasPrefix(l, "  ") {
			continue // the build's own lines, interleaved
		}
		lines = append(lines, regexp.MustCompile(`; tracing: .*`).ReplaceAllString(l, ""))
	}
	return strings.Join(lines, "\n")
}

func assertReport(t *testing.T, r result, code int, want string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d; output:\n%s", r.code, code, r.out)
	}
	if got := checkReport(t, r.out); got != strings.TrimSpace(want) {
		t.Fatalf("check report:\n%s\nwant:\n%s\nwhole output:\n%s", got, strings.TrimSpace(want), r.out)
	}
}

// noopBuild asserts that a build after the check runs nothing.
func noopBuild(t *testing.T, dir string, args ...string) {
	t.Helper()
	mustBuild(t, dir, args...)
	assertRan(t, dir)
}

const checkAllowRanLog = "[check]\nallow = [\"ran.log\"]\n\n"

func TestCheckUndeclaredRead(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": checkAllowRanLog + `[targets.a]
inputs = ["a.txt"]
outputs = ["a.out"]
cmd = "echo a >> ran.log && cat a.txt b.txt > a.out"
`,
		"a.txt": "a\n", "b.txt": "b\n",
	})
	r := gobuildj(t, dir, "check")
	assertRan(t, dir, "a")
	assertReport(t, r, 1, `
gobuildj check: a:
  undeclared read: b.txt
    read b.txt, which is not among its inputs: a change to it does not rebuild a
    fix: add "b.txt" to inputs of a
      [targets.a]
      inputs = [..., "b.txt"]
gobuildj check: 1 finding(s) in 1 of 1 traced target(s)`)
	noopBuild(t, dir)
}

func TestCheckMissingDep(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `default = ["gen", "use"]
` + checkAllowRanLog + `
[targets.gen]
outputs = ["gen.txt"]
cmd = "echo gen >> ran.log && echo generated > gen.txt"

[targets.use]
inputs = ["use.txt"]
outputs = ["use.out"]
cmd = "echo use >> ran.log && cat use.txt gen.txt > use.out"
`,
		"use.txt": "use\n",
	})
	mustBuild(t, dir, "gen")
	assertRan(t, dir, "gen")
	r := gobuildj(t, dir, "check", "use")
	assertRan(t, dir, "use")
	assertReport(t, r, 1, `
gobuildj check: use:
  missing dep: gen.txt
    read gen.txt, an output of gen, without a dependency path to gen: it may run before gen writes the file, and not again after it changes
    fix: add deps = ["gen"] to use (or add "gen.txt" to its inputs, which makes gen a dep)
      [targets.use]
      deps = [..., "gen"]
gobuildj check: 1 finding(s) in 1 of 1 traced target(s)`)
	noopBuild(t, dir)
}

func TestCheckUndeclaredWrite(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": checkAllowRanLog + `[targets.a]
inputs = ["a.txt"]
outputs = ["a.out"]
cmd = "echo a >> ran.log && cp a.txt a.out && mkdir -p out && echo log > out/extra.log && echo tmp > $TMPDIR/gobuildj-check-scratch-7f3 && rm $TMPDIR/gobuildj-check-scratch-7f3"
`,
		"a.txt": "a\n",
	})
	r := gobuildjEnv(t, dir, []string{"TMPDIR=" + t.TempDir()}, "check")
	assertRan(t, dir, "a")
	assertReport(t, r, 1, `
gobuildj check: a:
  undeclared write: out/extra.log
    wrote out/extra.log, which is not among its outputs: a cache restore does not bring it back, and a clean does not remove it
    fix: add "out/extra.log" to outputs of a, or write it under $TMPDIR
      [targets.a]
      outputs = [..., "out/extra.log"]
gobuildj check: 1 finding(s) in 1 of 1 traced target(s)`)
	noopBuild(t, dir)
}

func TestCheckUnwrittenOutput(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": checkAllowRanLog + `[targets.a]
inputs = ["a.txt"]
outputs = ["a.out", "a.log"]
cmd = "echo a >> ran.log && cp a.txt a.out"
`,
		"a.txt": "a\n",
		"a.log": "left from before\n",
	})
	r := gobuildj(t, dir, "check")
	assertRan(t, dir, "a")
	assertReport(t, r, 1, `
gobuildj check: a:
  unwritten output: a.log
    declares a.log as an output and did not write it: the file there is left from before, and its hash is not what this run made
    fix: remove "a.log" from outputs of a (or make its command write it)
      [targets.a]
      outputs = [...]  # without "a.log"
gobuildj check: 1 finding(s) in 1 of 1 traced target(s)`)
	noopBuild(t, dir)
}

// A static Go program does its own system calls: no LD_PRELOAD shim would
// see it read.
func TestCheckStaticBinary(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": checkAllowRanLog + `[targets.a]
inputs = ["reader", "a.txt"]
outputs = ["a.out"]
cmd = "echo a >> ran.log && ./reader secret.txt > a.out"
`,
		"a.txt":      "a\n",
		"secret.txt": "not declared\n",
	})
	src := filepath.Join(t.TempDir(), "reader.go")
	write(t, src, `package main

import "os"

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		os.Exit(1)
	}
	os.Stdout.Write(b)
}
`)
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "reader"), src)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if out, _ := exec.Command("file", filepath.Join(dir, "reader")).Output(); len(out) > 0 && !strings.Contains(string(out), "statically linked") {
		t.Fatalf("reader is not static: %s", out)
	}
	r := gobuildj(t, dir, "check")
	assertRan(t, dir, "a")
	assertReport(t, r, 1, `
gobuildj check: a:
  undeclared read: secret.txt
    read secret.txt, which is not among its inputs: a change to it does not rebuild a
    fix: add "secret.txt" to inputs of a
      [targets.a]
      inputs = [..., "secret.txt"]
gobuildj check: 1 finding(s) in 1 of 1 traced target(s)`)
	noopBuild(t, dir)
}

// A file in $HOME is a per-user setting: flagged even when $HOME lies in a
// temporary folder, as here.
func TestCheckHomeDotfile(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": checkAllowRanLog + `[targets.a]
inputs = ["a.txt"]
outputs = ["a.out"]
cmd = "echo a >> ran.log && cat a.txt $HOME/.toolrc > a.out"
`,
		"a.txt": "a\n",
	})
	home := t.TempDir()
	write(t, filepath.Join(home, ".toolrc"), "colour = on\n")
	r := gobuildjEnv(t, dir, []string{"HOME=" + home}, "check")
	assertRan(t, dir, "a")
	rc := filepath.Join(home, ".toolrc")
	assertReport(t, r, 1, `
gobuildj check: a:
  outside read: `+rc+`
    read `+rc+`, in a dotfile or dot-folder of $HOME: a per-user setting that another machine does not have: a change to it does not rebuild a, and a shared cache would hand its result to machines where it differs
    fix: add "`+rc+`" to inputs of a (its content then enters the key), or allow it with [check] allow
      [targets.a]
      inputs = [..., "`+rc+`"]
      # or
      [check]
      allow = [..., "`+home+`"]
gobuildj check: 1 finding(s) in 1 of 1 traced target(s)`)
	noopBuild(t, dir)
}

func TestCheckCleanProject(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `default = ["app"]
` + checkAllowRanLog + `
[targets.gen]
inputs = ["gen.txt"]
outputs = ["build/gen.h"]
cmd = "echo gen >> ran.log && mkdir -p build && cp gen.txt build/gen.h"

[targets.app]
inputs = ["main.txt", "build/gen.h"]
outputs = ["build/app"]
cmd = "echo app >> ran.log && cat main.txt build/gen.h > build/tmp.$$ && mv build/tmp.$$ build/app"
`,
		"gen.txt": "gen\n", "main.txt": "main\n",
	})
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "app")
	// check runs the up-to-date targets again to see them.
	r := gobuildj(t, dir, "check")
	assertRan(t, dir, "gen", "app")
	assertReport(t, r, 0, `gobuildj check: nothing found in 2 traced target(s)`)
	noopBuild(t, dir)
}

func TestCheckDepsOnBuild(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": checkAllowRanLog + `[targets.a]
inputs = ["a.txt"]
outputs = ["a.out"]
cmd = "echo a >> ran.log && cat a.txt b.txt > a.out"

[targets.c]
inputs = ["c.txt"]
outputs = ["c.out"]
cmd = "echo c >> ran.log && cp c.txt c.out"
`,
		"a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n",
	})
	mustBuild(t, dir, "c")
	assertRan(t, dir, "c")
	// warn reports and exits 0; only what runs is checked.
	r := gobuildj(t, dir, "--check-deps=warn", "a", "c")
	assertRan(t, dir, "a")
	assertReport(t, r, 0, `
gobuildj check: a:
  undeclared read: b.txt
    read b.txt, which is not among its inputs: a change to it does not rebuild a
    fix: add "b.txt" to inputs of a
      [targets.a]
      inputs = [..., "b.txt"]
gobuildj check: 1 finding(s) in 1 of 1 traced target(s); 1 target(s) not checked because they did not run (gobuildj check runs them all)`)
	noopBuild(t, dir, "a", "c")
	// A bare --check-deps is =error: a finding exits 1.
	write(t, filepath.Join(dir, "a.txt"), "a2\n")
	r = gobuildj(t, dir, "--check-deps", "a")
	assertRan(t, dir, "a")
	if r.code != 1 || !strings.Contains(r.out, "  undeclared read: b.txt\n") {
		t.Fatalf("exit code %d, want 1 with the finding; output:\n%s", r.code, r.out)
	}
	noopBuild(t, dir, "a")
	if r := gobuildj(t, dir, "--check-deps=maybe"); r.code != 2 || !strings.Contains(r.out, "--check-deps=maybe: expected error or warn") {
		t.Fatalf("exit code %d, want 2; output:\n%s", r.code, r.out)
	}
}
