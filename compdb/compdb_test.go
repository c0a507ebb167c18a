package compdb

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/graph"
)

const buildfile = `
[targets.all]
deps = ["app", "doc"]

[rules.obj]
foreach = "src/*.c"
inputs  = ["src/common.h", "${match}"]
outputs = ["build/${stem}.o"]
cmd     = ["mkdir -p build", "cc -c ${match} -o ${out}"]

[targets.app]
deps    = ["obj"]
inputs  = ["main.c"]
outputs = ["build/app"]
cmd     = "cc -o build/app main.c ${deps}"

[targets.doc]
inputs  = ["README"]
outputs = ["doc.html"]
cmd     = ["markdown - < /dev/stdin > doc.tmp", "mv doc.tmp doc.html"]

[targets.stamp]
outputs = ["stamp"]
cmd     = "touch stamp"
`

// load writes the Buildfile and its sources into a new folder and loads it.
func load(t *testing.T) *graph.Graph {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"Buildfile.toml": buildfile,
		"src/a.c":        "", "src/b.c": "", "src/common.h": "", "main.c": "", "README": "",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g, err := graph.Load(filepath.Join(dir, "Buildfile.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func names(ts []*graph.Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func TestTargets(t *testing.T) {
	g := load(t)
	for _, c := range []struct {
		names []string
		deps  bool
		want  []string
	}{
		// Everything with a command and an input: not stamp, not aliases.
		{nil, false, []string{"build/a.o", "build/b.o", "app", "doc"}},
		// A rule stands for its targets.
		{[]string{"obj"}, false, []string{"build/a.o", "build/b.o"}},
		// A target alone, without what it depends on...
		{[]string{"app"}, false, []string{"app"}},
		// ...or with it.
		{[]string{"app"}, true, []string{"build/a.o", "build/b.o", "app"}},
		// Aliases are looked through as far as they go.
		{[]string{"all"}, false, []string{"app", "doc"}},
		{[]string{"stamp"}, false, nil},
	} {
		got, err := Targets(g, c.names, c.deps)
		if err != nil {
			t.Errorf("Targets(%q, %v): %v", c.names, c.deps, err)
			continue
		}
		if !slices.Equal(names(got), c.want) {
			t.Errorf("Targets(%q, %v) = %q, want %q", c.names, c.deps, names(got), c.want)
		}
	}
	if _, err := Targets(g, []string{"nope"}, false); err == nil || !strings.Contains(err.Error(), `unknown target "nope"`) {
		t.Errorf("Targets of an unknown name: %v", err)
	}
}

func TestEntryOf(t *testing.T) {
	g := load(t)
	entry := func(name string) Entry {
		tg, ok := g.Lookup(name)
		if !ok {
			t.Fatalf("no target %s", name)
		}
		return EntryOf(g, tg)
	}
	// The source file, not the header listed before it; the command that
	// names it, not the mkdir.
	if got, want := entry("build/a.o"), (Entry{Directory: g.Root, Command: "cc -c src/a.c -o build/a.o", File: "src/a.c", Output: "build/a.o"}); got != want {
		t.Errorf("entry of build/a.o = %+v, want %+v", got, want)
	}
	// No source file: the first input; no command names it: all of them.
	if got, want := entry("doc"), (Entry{Directory: g.Root, Command: "markdown - < /dev/stdin > doc.tmp && mv doc.tmp doc.html", File: "README", Output: "doc.html"}); got != want {
		t.Errorf("entry of doc = %+v, want %+v", got, want)
	}
}

func TestIsSource(t *testing.T) {
	for path, want := range map[string]bool{"a.c": true, "x/a.cpp": true, "a.S": true, "a.h": false, "a.hpp": false, "README": false} {
		if IsSource(path) != want {
			t.Errorf("IsSource(%q) = %v", path, !want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	g := load(t)
	targets, err := Targets(g, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	entries := Entries(g, targets)
	path := DefaultPath(g)
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, entries); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back []Entry
	if err := json.Unmarshal(data, &back); err != nil || !slices.Equal(back, entries) || !strings.HasSuffix(string(data), "]\n") {
		t.Errorf("%s holds %s (%v), want %+v", path, data, err, entries)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("%s: mode %v (%v), want 0644", path, fi.Mode(), err)
	}
	// No temporary file left beside it.
	if files, _ := filepath.Glob(filepath.Join(g.Root, ".*.tmp*")); len(files) > 0 {
		t.Errorf("left behind: %q", files)
	}
	// An empty database is an empty array, not null.
	if data, err := Encode(nil); err != nil || string(data) != "[]\n" {
		t.Errorf("Encode(nil) = %q, %v", data, err)
	}
	// A folder that does not exist: an error that says what.
	err = WriteFile(filepath.Join(g.Root, "no", "such", FileName), entries)
	if err == nil || !strings.HasPrefix(err.Error(), "compdb: ") {
		t.Errorf("WriteFile into a missing folder: %v", err)
	}
}
