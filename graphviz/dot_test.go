package graphviz

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/graph"
)

// load writes buildfile into a new folder and loads it.
func load(t *testing.T, buildfile string) *graph.Graph {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"a.c", "b.c"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "Buildfile.toml")
	if err := os.WriteFile(path, []byte(buildfile), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := graph.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

const buildfile = `
[pools.link]
depth = 1

[targets.all]
deps = ["app"]

[rules.obj]
foreach     = "*.c"
description = "CC ${out}"
inputs      = ["${match}"]
outputs     = ["${stem}.o"]
cmd         = "cc -c ${in} -o ${out}"

[targets.app]
description = "LINK \"app\""
deps        = ["obj"]
outputs     = ["app"]
pool        = "link"
cmd         = "cc -o ${out} ${deps}"
`

func TestDotOfAWholeGraph(t *testing.T) {
	g := load(t, buildfile)
	want := `digraph gobuildj {
  rankdir=LR;
  node [shape=box, fontname="Helvetica", fontsize=10, height=0.3];
  edge [color="#555555"];
  subgraph cluster_0 {
    label="rule obj";
    style=rounded;
    color="#999999";
    fontname="Helvetica";
    fontsize=10;
    "a.o" [label="a.o\nCC a.o"];
    "b.o" [label="b.o\nCC b.o"];
  }
  "obj" [label="obj", shape=ellipse];
  "app" [label="app\nLINK \"app\"", style=dashed];
  "all" [label="all", shape=ellipse];
  "a.o" -> "obj";
  "b.o" -> "obj";
  "obj" -> "app";
  "app" -> "all";
}
`
	if got := Dot(g, g.Targets); got != want {
		t.Errorf("Dot:\n%s\nwant:\n%s", got, want)
	}
}

func TestDotLeavesOutWhatIsNotShown(t *testing.T) {
	g := load(t, buildfile)
	a, _ := g.Lookup("a.o")
	app, _ := g.Lookup("app")
	got := Dot(g, []*graph.Target{a, app})
	for _, absent := range []string{`"b.o"`, `"obj"`, `"all"`, "->"} {
		if strings.Contains(got, absent) {
			t.Errorf("Dot of a.o and app holds %s:\n%s", absent, got)
		}
	}
	if !strings.Contains(got, `subgraph cluster_0`) || !strings.Contains(got, `"app" [`) {
		t.Errorf("Dot of a.o and app:\n%s", got)
	}
	// No member of a rule shown: no frame.
	if got := Dot(g, []*graph.Target{app}); strings.Contains(got, "subgraph") {
		t.Errorf("Dot of app alone has a frame:\n%s", got)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"a":          `"a"`,
		`say "hi"`:   `"say \"hi\""`,
		`C:\dir`:     `"C:\\dir"`,
		"two\nlines": `"two\nlines"`,
		"":           `""`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWrite(t *testing.T) {
	g := load(t, buildfile)
	var b bytes.Buffer
	if err := Write(&b, g, g.Targets); err != nil || b.String() != Dot(g, g.Targets) {
		t.Errorf("Write: %v\n%s", err, b.String())
	}
	if err := Write(failingWriter{}, g, g.Targets); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write to a failing writer: %v", err)
	}
}
