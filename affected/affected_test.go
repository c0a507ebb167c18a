package affected

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
)

// records are fake state records: the inputs each target's last run read.
type records map[string][]string

func (r records) Target(name string) (cache.TargetRecord, bool) {
	ins, ok := r[name]
	if !ok {
		return cache.TargetRecord{}, false
	}
	rec := cache.TargetRecord{Name: name, Discovered: ins}
	for _, in := range ins {
		rec.Inputs = append(rec.Inputs, cache.PathHash{Path: in})
	}
	return rec, true
}

func load(t *testing.T, buildfile string, files ...string) *graph.Graph {
	t.Helper()
	dir := t.TempDir()
	files = append(files, "Buildfile.toml")
	for _, f := range files {
		content := "x\n"
		if f == "Buildfile.toml" {
			content = buildfile
		}
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g, err := graph.Load(filepath.Join(dir, "Buildfile.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

const buildfile = `
default = ["app", "docs"]

[rules.obj]
foreach = "src/*.c"
inputs  = ["${match}"]
outputs = ["build/${stem}.o"]
depfile = "build/${stem}.d"
cmd     = "cc -c ${in} -o ${out}"

[targets.app]
deps    = ["obj"]
outputs = ["build/app"]
cmd     = "cc -o ${out} ${deps}"

[targets.docs]
inputs  = ["docs/**/*.md"]
outputs = ["build/docs.html"]
cmd     = "cat ${in} > ${out}"

[targets.tool]
inputs  = ["x.txt"]
tools   = ["./tools/wrap"]
outputs = ["build/tool"]
cmd     = "./tools/wrap ${in} > ${out}"
`

func names(res Result) []string {
	var out []string
	for _, r := range res.Targets {
		s := r.Target.Name + ":" + r.File
		if r.Via != nil {
			s += "<" + r.Via.Name
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestFind(t *testing.T) {
	g := load(t, buildfile, "src/a.c", "src/b.c", "docs/x.md", "x.txt", "tools/wrap")
	recs := records{"build/a.o": {"src/a.c", "include/a.h"}}
	wanted, err := g.Select(nil)
	if err != nil {
		t.Fatal(err)
	}
	tool, _ := g.Lookup("tool")
	for _, tc := range []struct {
		changed []string
		wanted  []*graph.Target
		want    string
	}{
		// A header read only through a depfile.
		{[]string{"include/a.h"}, wanted, "[app:include/a.h<obj build/a.o:include/a.h obj:include/a.h<build/a.o]"},
		// A declared input; an output and the state folder are no sources.
		{[]string{"build/b.o", ".gobuildj/state", "src/b.c"}, wanted, "[app:src/b.c<obj build/b.o:src/b.c obj:src/b.c<build/b.o]"},
		// A deleted match of a glob, and of a rule's foreach.
		{[]string{"docs/old/gone.md"}, wanted, "[docs:docs/old/gone.md]"},
		{[]string{"src/gone.c"}, wanted, "[app:src/gone.c<obj obj:src/gone.c]"},
		// A local tool; tool is not wanted unless named.
		{[]string{"tools/wrap"}, wanted, "[]"},
		{[]string{"tools/wrap"}, []*graph.Target{tool}, "[tool:tools/wrap]"},
		// A hidden file matches no glob that does not name it.
		{[]string{"docs/.draft.md"}, wanted, "[]"},
		// Nothing reads it.
		{[]string{"README"}, wanted, "[]"},
	} {
		got := names(Find(g, recs, tc.changed, tc.wanted))
		if s := "[" + strings.Join(got, " ") + "]"; s != tc.want {
			t.Errorf("Find(%v): %s, want %s", tc.changed, s, tc.want)
		}
	}
}

func TestFindBuildfile(t *testing.T) {
	g := load(t, buildfile, "src/a.c", "docs/x.md", "x.txt", "tools/wrap")
	wanted, _ := g.Select(nil)
	res := Find(g, nil, []string{"Buildfile.toml", "src/a.c"}, wanted)
	if res.Buildfile != "Buildfile.toml" || len(res.Targets) != len(g.Closure(wanted)) {
		t.Fatalf("Find after a Buildfile change: %q, %v", res.Buildfile, names(res))
	}
}

func TestStatusPaths(t *testing.T) {
	out := []byte(" M a.c\x00?? new dir/x.h\x00R  b.c\x00old b.c\x00D  gone.h\x00")
	got := statusPaths(out)
	want := []string{"a.c", "new dir/x.h", "b.c", "old b.c", "gone.h"}
	if !slices.Equal(got, want) {
		t.Fatalf("statusPaths: %q, want %q", got, want)
	}
}

func TestRelativeTo(t *testing.T) {
	top := t.TempDir()
	root := filepath.Join(top, "proj")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	top, _ = filepath.EvalSymlinks(top)
	got := relativeTo(root, top, []string{"proj/b.c", "README", "proj/a.c", "proj/b.c"})
	want := []string{filepath.Join(top, "README"), "a.c", "b.c"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("relativeTo: %q, want %q", got, want)
	}
}
