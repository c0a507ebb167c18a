package main

import (
	"runtime"
	"strings"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	dir := t.TempDir()
	r := mustBuild(t, dir, "--version")
	if !strings.HasPrefix(r.out, "gobuildj ") || !strings.Contains(r.out, runtime.Version()) || strings.Count(r.out, "\n") != 1 {
		t.Fatalf("--version printed %q", r.out)
	}
	if v := mustBuild(t, dir, "version"); v.out != r.out {
		t.Errorf("--version printed %q, version printed %q", r.out, v.out)
	}
	if h := mustBuild(t, dir, "--help"); !strings.Contains(h.out, "--version") {
		t.Errorf("--help does not name --version:\n%s", h.out)
	}
}
