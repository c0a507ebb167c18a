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
