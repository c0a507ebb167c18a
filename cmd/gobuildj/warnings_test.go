package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// emptyGlobWarning is the warning of the glob at line 4 of
// emptyGlobProject's Buildfile.
const emptyGlobWarning = `gobuildj: warning: Buildfile.toml:4:12: target "t": inputs: glob "tests/*.bash" matches no file (expected a pattern that matches files or another target's outputs: the target does not run again until one appears; ignore this if it fills later)`

// emptyGlobProject has a target whose input glob matches no file yet, and
// one whose glob matches only another target's output (no warning).
var emptyGlobProject = map[string]string{
	"Buildfile.toml": `
[targets.t]
outputs = ["out.txt"]
inputs  = ["tests/*.bash", "src.txt"]
cmd     = "echo t >> ran.log; cat ${in} > ${out}"

[targets.gen]
outputs = ["gen/v.h"]
cmd     = "echo gen >> ran.log; mkdir -p gen; echo v > gen/v.h"

[targets.use]
deps    = ["gen"]
inputs  = ["gen/*.h"]
outputs = ["use.txt"]
cmd     = "echo use >> ran.log; cat ${in} > ${out}"

[targets.all]
deps = ["t"]
`,
	"src.txt":          "src\n",
	"tests/readme.txt": "not a test\n",
}

// TestEmptyInputGlobWarns: an input glob that matches no file is a warning
// at each load (from the snapshot too) and in query, not an error; a glob
// emptied by deleting its last file warns again and still builds.
func TestEmptyInputGlobWarns(t *testing.T) {
	dir := project(t, emptyGlobProject)
	r := mustBuild(t, dir)
	assertRan(t, dir, "t")
	if got := strings.Count(r.out, "gobuildj: warning:"); got != 1 || !strings.Contains(r.out, emptyGlobWarning+"\n") {
		t.Fatalf("want the one warning\n%s\ngot:\n%s", emptyGlobWarning, r.out)
	}
	r = mustBuild(t, dir) // the graph comes from the snapshot
	assertRan(t, dir)
	if !strings.Contains(r.out, emptyGlobWarning+"\n") {
		t.Errorf("a build from the snapshot does not warn:\n%s", r.out)
	}
	r = gobuildj(t, dir, "query", "t")
	if r.code != 0 || !strings.Contains(r.out, emptyGlobWarning+"\n") || !strings.Contains(r.out, "inputs:") {
		t.Errorf("query: exit %d, want 0 and the warning:\n%s", r.code, r.out)
	}
	write(t, filepath.Join(dir, "tests/a.bash"), "echo a\n")
	r = mustBuild(t, dir)
	assertRan(t, dir, "t")
	if strings.Contains(r.out, "warning") {
		t.Errorf("a glob that matches warns:\n%s", r.out)
	}
	if err := os.Remove(filepath.Join(dir, "tests/a.bash")); err != nil {
		t.Fatal(err)
	}
	r = mustBuild(t, dir)
	assertRan(t, dir, "t")
	if !strings.Contains(r.out, emptyGlobWarning+"\n") {
		t.Errorf("an emptied glob does not warn:\n%s", r.out)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

// TestWatchWarnsOnce: watch prints a warning of the Buildfile when it
// loads it, and not again at each build or reload that finds it again.
func TestWatchWarnsOnce(t *testing.T) {
	dir := project(t, emptyGlobProject)
	w := startWatch(t, dir)
	assertRan(t, dir, "t")
	write(t, filepath.Join(dir, "src.txt"), "src 2\n")
	w.cycle("src.txt")
	assertRan(t, dir, "t")
	write(t, filepath.Join(dir, "tests/a.bash"), "echo a\n")
	w.cycle("tests/a.bash")
	assertRan(t, dir, "t")
	if err := os.Remove(filepath.Join(dir, "tests/a.bash")); err != nil {
		t.Fatal(err)
	}
	w.cycle("tests/a.bash")
	assertRan(t, dir, "t")
	w.stop()
	if got := strings.Count(w.output(), emptyGlobWarning); got != 1 {
		t.Errorf("watch printed the warning %d times, want once:\n%s", got, w.output())
	}
}

// TestMakeismHints: make's $@, $< and $(NAME) of a [vars] variable in a
// command are warned of with the Buildfile's spelling; the command still
// runs as written (the shell's $(date) and $$@ are not warned of).
func TestMakeismHints(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[vars]
MSG = "hello"

[targets.t]
inputs  = ["src.txt"]
outputs = ["out.txt"]
cmd     = "echo t >> ran.log; (echo $(MSG) $@ $</dev/null $$@ $(date +%Y)) > out.txt 2>/dev/null"
`,
		"src.txt": "src\n",
	})
	r := mustBuild(t, dir, "t")
	assertRan(t, dir, "t")
	want := `gobuildj: warning: Buildfile.toml:8:37: target "t": cmd: $(MSG) goes to the shell, which runs the command MSG in its place (make's variable): did you mean ${MSG}? (write $$(MSG) for the shell's)
gobuildj: warning: Buildfile.toml:8:44: target "t": cmd: $@ goes to the shell, which takes it for its arguments (make's target): did you mean ${out}? (write $$@ for the shell's)
gobuildj: warning: Buildfile.toml:8:47: target "t": cmd: $< goes to the shell, which takes it for a "$" and a redirection (make's first prerequisite): did you mean ${in}? (in a rule, ${match} is the file foreach matched)
`
	if !strings.HasPrefix(r.out, want) {
		t.Errorf("output:\n%s\nwant it to start with\n%s", r.out, want)
	}
	mustBuild(t, dir, "t")
	assertRan(t, dir)
}
