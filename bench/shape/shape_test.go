package shape

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/graph"
)

// TestShapes writes each shape and loads its Buildfile: the graph has the
// commands, deps and outputs the shape describes, and the other tools'
// files name every output.
func TestShapes(t *testing.T) {
	cases := []struct {
		kind     string
		n        int
		commands int // targets with a command
		aliases  int
	}{
		{"wide", 250, 250, 4},           // g0..g2 and all
		{"layered", 25, 25 + 10 + 1, 1}, // objects, libraries, the binary; all
		{"layered", 4, 4 + 4 + 1, 1},    // fewer sources than libraries
	}
	for _, c := range cases {
		dir := t.TempDir()
		g, err := New(c.kind, c.n)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Write(dir); err != nil {
			t.Fatal(err)
		}
		bg, err := graph.Load(filepath.Join(dir, "Buildfile.toml"))
		if err != nil {
			t.Fatalf("%s %d: %v", c.kind, c.n, err)
		}
		cmds, aliases := 0, 0
		for _, tg := range bg.Targets {
			if tg.IsAlias() {
				aliases++
			} else {
				cmds++
			}
		}
		if cmds != c.commands || aliases != c.aliases || len(g.Nodes) != c.commands {
			t.Errorf("%s %d: %d commands and %d aliases (%d nodes), want %d and %d", c.kind, c.n, cmds, aliases, len(g.Nodes), c.commands, c.aliases)
		}
		for _, nd := range g.Nodes {
			tg, ok := bg.Lookup(nd.Out)
			if !ok || len(tg.Deps) != len(nd.Deps) {
				t.Errorf("%s %d: %s: target %v with deps %v, want %d deps", c.kind, c.n, nd.Out, ok, tg, len(nd.Deps))
			}
		}
		for _, file := range []string{"build.ninja", "Makefile", "Taskfile.yml"} {
			b, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			for _, nd := range g.Nodes {
				if !strings.Contains(string(b), nd.Out) {
					t.Errorf("%s %d: %s does not name %s", c.kind, c.n, file, nd.Out)
				}
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "src", "0.txt")); err != nil {
			t.Errorf("%s %d: sources not written: %v", c.kind, c.n, err)
		}
	}
	if _, err := New("round", 10); err == nil {
		t.Error("an unknown shape was accepted")
	}
}
