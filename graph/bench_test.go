package graph

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/bench/shape"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

// generate writes a Buildfile of n compile targets, each with inputs, an
// output, a command using variables and a few deps, plus a link target and
// an "all" alias, into dir (with the source files its globs match).
func generate(tb testing.TB, dir string, n int) string {
	tb.Helper()
	var b strings.Builder
	b.Grow(n * 300)
	b.WriteString("default = [\"all\"]\n\n[vars]\ncc = \"cc\"\ncflags = \"-O2 -Wall\"\n")
	b.WriteString("compile = \"${cc} ${cflags} -c ${in} -o ${out}\"\n\n")
	files := map[string]string{}
	for i := range 20 {
		files[fmt.Sprintf("include/h%d.h", i)] = ""
	}
	for i := range n {
		fmt.Fprintf(&b, "[targets.obj%d]\n", i)
		fmt.Fprintf(&b, "description = \"CC ${out}\"\n")
		fmt.Fprintf(&b, "inputs = [\"src/f%d.c\", \"include/*.h\"]\n", i)
		fmt.Fprintf(&b, "outputs = [\"build/f%d.o\"]\n", i)
		b.WriteString("cmd = \"${compile}\"\n")
		if i > 0 {
			fmt.Fprintf(&b, "deps = [\"obj%d\"", i-1)
			if i > 2 {
				fmt.Fprintf(&b, ", \"build/f%d.o\"", i/2)
			}
			b.WriteString("]\n")
		}
		b.WriteString("timeout = \"5m\"\nenv = { LC_ALL = \"C\" }\n\n")
	}
	b.WriteString("[targets.app]\noutputs = [\"build/app\"]\ncmd = \"${cc} -o ${out} ${deps}\"\ndeps = [")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "\"obj%d\"", i)
	}
	b.WriteString("]\n\n[targets.all]\ndeps = [\"app\"]\n")
	files["Buildfile.toml"] = b.String()
	writeFiles(tb, dir, files)
	return filepath.Join(dir, "Buildfile.toml")
}

// generateWide writes the "wide" graph of bench/shape, which the
// performance budget is measured on: n leaves `cp src/I.txt out/I.o`, one
// alias per 100 leaves, and "all" over the aliases.
func generateWide(tb testing.TB, dir string, n int) string {
	tb.Helper()
	g, err := shape.New("wide", n)
	if err != nil {
		tb.Fatal(err)
	}
	if err := g.Write(dir); err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(dir, "Buildfile.toml")
}

func benchmarkLoad(b *testing.B, n int) {
	path := generate(b, b.TempDir(), n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		g, err := Load(path)
		if err != nil {
			b.Fatal(err)
		}
		if len(g.Targets) != n+2 {
			b.Fatalf("%d targets", len(g.Targets))
		}
	}
}

// BenchmarkLoad loads a generated 1000-target Buildfile.
func BenchmarkLoad(b *testing.B) { benchmarkLoad(b, 1000) }

// BenchmarkLoad10k loads a generated 10,000-target Buildfile.
func BenchmarkLoad10k(b *testing.B) { benchmarkLoad(b, 10000) }

// BenchmarkLoadWide10k loads bench/gen's 10,000-leaf "wide" graph.
func BenchmarkLoadWide10k(b *testing.B) {
	path := generateWide(b, b.TempDir(), 10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadGenerated checks the graph of a generated 10,000-target
// Buildfile. Its speed is BenchmarkLoad's business, not a test's.
func TestLoadGenerated(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	path := generate(t, t.TempDir(), n)
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	checkDAG(t, g)
	app, _ := g.Lookup("build/app")
	if len(app.Deps) != n || !strings.HasPrefix(app.Cmds[0], "cc -o build/app build/f0.o build/f1.o ") {
		t.Errorf("app: %d deps, cmd %.60q", len(app.Deps), app.Cmds[0])
	}
	o, _ := g.Lookup("obj5")
	if want := "cc -O2 -Wall -c src/f5.c include/h0.h include/h1.h include/h10.h"; !strings.HasPrefix(o.Cmds[0], want) || len(o.Inputs) != 21 {
		t.Errorf("obj5: cmd %q, %d inputs", o.Cmds[0], len(o.Inputs))
	}
}

// BenchmarkSnapshotLoad loads the 10,000-leaf wide graph from its snapshot,
// as a no-op build does.
func BenchmarkSnapshotLoad(b *testing.B) {
	dir := b.TempDir()
	path := generateWide(b, dir, 10000)
	if err := os.Mkdir(statedir.Of(dir).Path(), 0o755); err != nil {
		b.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(path, old, old)
	os.Chtimes(dir, old, old)
	if _, err := LoadCached(path, true); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		g, err := LoadCached(path, true)
		if err != nil || !g.fromSnapshot {
			b.Fatalf("not from the snapshot: %v", err)
		}
	}
}

// BenchmarkGlob expands "src/**/*.c" over 5,000 files in 50 folders (and as
// many files that do not match).
func BenchmarkGlob(b *testing.B) {
	dir := b.TempDir()
	files := map[string]string{}
	for d := range 50 {
		for f := range 100 {
			files[fmt.Sprintf("src/d%d/f%d.c", d, f)] = ""
			files[fmt.Sprintf("src/d%d/f%d.h", d, f)] = ""
		}
	}
	writeFiles(b, dir, files)
	b.ReportAllocs()
	for b.Loop() {
		m, err := Glob(dir, "src/**/*.c")
		if err != nil || len(m) != 5000 {
			b.Fatalf("%d matches, %v", len(m), err)
		}
	}
}
