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

func TestQuerySeveralTargets(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
	r := mustBuild(t, dir, "query", "gen", "upper")
	assertRan(t, dir)
	parts := strings.Split(r.out, "\n\n")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "gen\n") || !strings.HasPrefix(parts[1], "upper\n") {
		t.Fatalf("query gen upper printed:\n%s", r.out)
	}
	for _, p := range parts {
		if !strings.Contains(p, "would run: yes (no previous run)") {
			t.Errorf("no verdict in:\n%s", p)
		}
	}
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	r = mustBuild(t, dir, "query", "gen", "build/upper.txt")
	if strings.Count(r.out, "would run: no (up to date)") != 2 {
		t.Errorf("after a build, query printed:\n%s", r.out)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

func TestCleanDeadIsCleanStale(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": staleRule, "foo.in": "foo\n", "bar.in": "bar\n"})
	mustBuild(t, dir, "out")
	assertRan(t, dir, "foo.out", "bar.out")
	remove(t, dir, "bar.in")

	if r := gobuildj(t, dir, "clean", "--dead", "foo.out"); r.code != 2 || !strings.Contains(r.out, "clean --dead takes no target") {
		t.Errorf("clean --dead with a target: exit %d, want 2:\n%s", r.code, r.out)
	}
	r := gobuildj(t, dir, "clean", "--dead")
	if r.code != 0 || r.out != "removed bar.out\ngobuildj: removed 1 file(s) of 1 target(s)\n" {
		t.Errorf("clean --dead: exit %d:\n%s", r.code, r.out)
	}
	if existsIn(t, dir, "bar.out") || !existsIn(t, dir, "foo.out") {
		t.Error("clean --dead did not remove bar.out only")
	}
	r = mustBuild(t, dir, "out")
	assertRan(t, dir)
	if strings.Contains(r.out, "stale") {
		t.Errorf("a build after clean --dead:\n%s", r.out)
	}
}
