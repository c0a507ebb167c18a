package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestInKeepsWrittenOrder checks that ${in} lists the inputs in the order
// written (make's $^, ninja's $in), a glob's matches sorted in place and
// each path once, and that reordering the inputs reruns the target once.
func TestInKeepsWrittenOrder(t *testing.T) {
	buildfile := func(inputs string) string {
		return `
default = ["names", "concat"]

[targets.names]
inputs  = [` + inputs + `]
outputs = ["names.txt"]
cmd     = "echo ${target} >> ran.log; echo ${in} > ${out}"

[targets.concat]
inputs  = ["parts/head.txt", "parts/body-*.txt", "parts/tail.txt", "parts/head.txt"]
outputs = ["cat.txt"]
cmd     = "echo ${target} >> ran.log; cat ${in} > ${out}"
`
	}
	dir := project(t, map[string]string{
		"Buildfile.toml": buildfile(`"b.txt", "a.txt", "10.txt", "2.txt"`),
		"a.txt":          "", "b.txt": "", "10.txt": "", "2.txt": "",
		"parts/head.txt":      "head\n",
		"parts/body-2.txt":    "body 2\n",
		"parts/body-1.txt":    "body 1\n",
		"parts/tail.txt":      "tail\n",
		"parts/unrelated.txt": "not read\n",
	})
	mustBuild(t, dir)
	assertRan(t, dir, "names", "concat")
	if got, want := read(t, filepath.Join(dir, "names.txt")), "b.txt a.txt 10.txt 2.txt\n"; got != want {
		t.Errorf("names.txt = %q, want %q", got, want)
	}
	if got, want := read(t, filepath.Join(dir, "cat.txt")), "head\nbody 1\nbody 2\ntail\n"; got != want {
		t.Errorf("cat.txt = %q, want %q", got, want)
	}
	mustBuild(t, dir)
	assertRan(t, dir)

	// The same inputs in another order: the same key inputs, but another
	// command.
	write(t, filepath.Join(dir, "Buildfile.toml"), buildfile(`"2.txt", "10.txt", "a.txt", "b.txt", "2.txt"`))
	r := mustBuild(t, dir, "--explain")
	assertRan(t, dir, "names")
	if !strings.Contains(r.out, "names: command changed") {
		t.Errorf("--explain lacks %q:\n%s", "names: command changed", r.out)
	}
	if got, want := read(t, filepath.Join(dir, "names.txt")), "2.txt 10.txt a.txt b.txt\n"; got != want {
		t.Errorf("names.txt = %q, want %q", got, want)
	}
	mustBuild(t, dir)
	assertRan(t, dir)

	// A new match of the glob takes its sorted place among the others.
	write(t, filepath.Join(dir, "parts/body-0.txt"), "body 0\n")
	mustBuild(t, dir)
	assertRan(t, dir, "concat")
	if got, want := read(t, filepath.Join(dir, "cat.txt")), "head\nbody 0\nbody 1\nbody 2\ntail\n"; got != want {
		t.Errorf("cat.txt = %q, want %q", got, want)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}
