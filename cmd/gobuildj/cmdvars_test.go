package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// cmdVarsProject has a variable used by one target's command at the top
// and one used by an included Buildfile's target.
var cmdVarsProject = map[string]string{
	"Buildfile.toml": `
include = ["sub/Buildfile.toml"]

[vars]
cc   = "cc"
mode = "debug"

[targets.a]
outputs = ["a.txt"]
cmd     = "echo a >> ran.log; echo ${cc} > ${out}"

[targets.b]
outputs = ["b.txt"]
cmd     = "echo b >> ran.log; echo b > ${out}"

[targets.all]
deps = ["a", "b", "sub/c"]
`,
	"sub/Buildfile.toml": `
[vars]
mode = "fast"

[targets.c]
outputs = ["c.txt"]
cmd     = "echo c >> ../ran.log; echo ${mode} > ${out}"
`,
}

// TestCommandLineVars: NAME=value on the command line overrides [vars]
// in the Buildfile and those it includes, reruns the targets whose
// commands use it, and a further build with the same value runs nothing.
func TestCommandLineVars(t *testing.T) {
	dir := project(t, cmdVarsProject)
	mustBuild(t, dir)
	assertRan(t, dir, "a", "b", "c")
	mustBuild(t, dir, "cc=clang")
	assertRan(t, dir, "a")
	if got := read(t, filepath.Join(dir, "a.txt")); got != "clang\n" {
		t.Errorf("a.txt = %q, want clang", got)
	}
	mustBuild(t, dir, "cc=clang")
	assertRan(t, dir)
	mustBuild(t, dir, "mode=release", "cc=clang", "all")
	assertRan(t, dir, "c")
	if got := read(t, filepath.Join(dir, "sub/c.txt")); got != "release\n" {
		t.Errorf("sub/c.txt = %q, want release", got)
	}
	mustBuild(t, dir, "cc=clang", "mode=release")
	assertRan(t, dir)
	mustBuild(t, dir) // back to the Buildfile's values
	assertRan(t, dir, "a", "c")
	mustBuild(t, dir)
	assertRan(t, dir)
	r := gobuildj(t, dir, "query", "cc=tcc", "a")
	if r.code != 0 || !strings.Contains(r.out, "echo tcc") {
		t.Errorf("query with cc=tcc: exit %d:\n%s", r.code, r.out)
	}
}

// TestCommandLineVarUnknown: a NAME=value whose NAME no [vars] defines is
// an error (exit 2) that lists the variables, not an unknown target.
func TestCommandLineVarUnknown(t *testing.T) {
	dir := project(t, cmdVarsProject)
	r := gobuildj(t, dir, "CC=clang")
	want := "gobuildj: error: Buildfile.toml: CC=clang: no variable CC in [vars] (expected one of cc, mode; did you mean \"cc\"?)\n"
	if r.code != 2 || r.out != want {
		t.Errorf("exit %d, output:\n%s\nwant exit 2 and\n%s", r.code, r.out, want)
	}
	assertRan(t, dir)
}
