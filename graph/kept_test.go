package graph

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A kept graph is answered again while its snapshot and key hold, and not
// once a Buildfile or an environment variable it read changed.
func TestLoadCachedKept(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".gobuildj"), 0o755); err != nil {
		t.Fatal(err)
	}
	bf := filepath.Join(dir, "Buildfile.toml")
	write := func(cmd string) {
		t.Helper()
		if err := os.WriteFile(bf, []byte("[targets.a]\ncmd = \""+cmd+" ${env:KEPT_TEST_VAR}\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		// Not racy: the snapshot's stat of it proves it unchanged.
		old := time.Now().Add(-time.Minute)
		if err := os.Chtimes(bf, old, old); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("KEPT_TEST_VAR", "one")
	write("echo")
	var kept Kept
	load := func() *Graph {
		t.Helper()
		g, err := LoadCachedKept(bf, true, nil, &kept)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	load() // from the Buildfile: saves the snapshot
	g1 := load()
	if !g1.FromSnapshot() {
		t.Fatal("the second load did not come from the snapshot")
	}
	if g2 := load(); g2 != g1 {
		t.Error("the kept graph was decoded again")
	}
	write("printf")
	g3 := load()
	if g3 == g1 || g3.Targets[0].Cmds[0] == g1.Targets[0].Cmds[0] {
		t.Errorf("a Buildfile edit kept the graph: %q", g3.Targets[0].Cmds)
	}
	g4 := load()
	t.Setenv("KEPT_TEST_VAR", "two")
	if g5 := load(); g5 == g4 {
		t.Error("a changed environment variable kept the graph")
	}
}
