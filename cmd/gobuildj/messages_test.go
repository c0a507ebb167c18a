package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCRLFBuildfile builds a Buildfile saved with CRLF line endings: its
// multi-line command must write out.txt, not "out.txt\r", and a second
// build runs nothing.
func TestCRLFBuildfile(t *testing.T) {
	bf := strings.Join([]string{
		`default = ["t"]`,
		`[targets.t]`,
		`outputs = ["out.txt"]`,
		`cmd = """`,
		`echo t >> ran.log`,
		`echo made > out.txt`,
		`"""`,
		``,
	}, "\r\n")
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	mustBuild(t, dir)
	assertRan(t, dir, "t")
	if _, err := os.Stat(filepath.Join(dir, "out.txt")); err != nil {
		t.Fatalf("out.txt: %v", err)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

// TestAbsoluteOutputInsideFolder builds a target whose output is written as
// an absolute path inside the Buildfile's folder: it is the relative path,
// so a dep may name it either way, and a second build runs nothing.
func TestAbsoluteOutputInsideFolder(t *testing.T) {
	dir := project(t, map[string]string{})
	write(t, filepath.Join(dir, "Buildfile.toml"), `
default = ["use"]

[targets.gen]
outputs = ["`+filepath.Join(dir, "build", "gen.txt")+`"]
cmd     = "echo gen >> ran.log; echo made > ${out}"

[targets.use]
deps    = ["build/gen.txt"]
outputs = ["build/use.txt"]
cmd     = "echo use >> ran.log; cat ${deps} > ${out}"
`)
	r := mustBuild(t, dir)
	assertRan(t, dir, "gen", "use")
	if strings.Contains(r.out, dir) {
		t.Errorf("the output names the absolute path:\n%s", r.out)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}
