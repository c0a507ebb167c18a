package query

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/sched"
)

// The test binary is also the worker program that runs the commands of
// the builds the tests make (package worker, which the engine imports,
// registers its task).
func TestMain(m *testing.M) {
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	os.Exit(m.Run())
}

const buildfile = `
[targets.all]
deps = ["app"]

[rules.obj]
foreach = "*.c"
inputs  = ["${match}"]
outputs = ["${stem}.o"]
depfile = "${stem}.d"
cmd     = "cat ${in} common.h > ${out}; echo '${out}: ${in} common.h' > ${stem}.d"

[targets.app]
description = "LINK app"
deps        = ["obj"]
outputs     = ["app"]
pool        = "link"
cmd         = "cat ${deps} > app"

[targets.broken]
inputs  = ["missing.txt"]
outputs = ["broken.out"]
cmd     = "cp missing.txt broken.out"

[pools.link]
depth = 1
`

// project writes the Buildfile and its sources into a new folder and
// loads it.
func project(t *testing.T) *graph.Graph {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"Buildfile.toml": buildfile, "a.c": "a\n", "b.c": "b\n", "common.h": "h\n"} {
		write(t, filepath.Join(dir, name), text)
	}
	g, err := graph.Load(filepath.Join(dir, "Buildfile.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// target returns g's target name.
func target(t *testing.T, g *graph.Graph, name string) *graph.Target {
	t.Helper()
	tg, ok := g.Lookup(name)
	if !ok {
		t.Fatalf("no target %s", name)
	}
	return tg
}

// build builds all in g (for real: the commands run).
func build(t *testing.T, g *graph.Graph) {
	// Wait out the slack in which a header written just before its first
	// compilation is suspected of a change during it (the build would then
	// record it so that the next build reruns the compilation).
	time.Sleep(fileid.TickSlack() + time.Millisecond)
	t.Helper()
	if _, err := engine.Build(g, []*graph.Target{target(t, g, "all")}, engine.Options{Jobs: 2, Listener: newExplanations()}, nil); err != nil {
		t.Fatal(err)
	}
}

// verdict is the verdict on target name, which must come without error.
func verdict(t *testing.T, g *graph.Graph, name string) Verdict {
	t.Helper()
	d, err := Describe(g, target(t, g, name))
	if err != nil {
		t.Fatalf("Describe(%s): %v", name, err)
	}
	return d.WouldRun
}

func TestWouldRun(t *testing.T) {
	g := project(t)
	if v := verdict(t, g, "all"); v.Kind != NothingItself {
		t.Errorf("all, an alias: %+v", v)
	}
	if v := verdict(t, g, "a.o"); v.Kind != Runs || v.Reason != event.Because(event.NoPreviousRun, "") {
		t.Errorf("a.o before any build: %+v", v)
	}
	// app's deps would run first, but app has no record: it runs.
	if v := verdict(t, g, "app"); v.Kind != Runs || v.Reason.Kind != event.NoPreviousRun {
		t.Errorf("app before any build: %+v", v)
	}
	var gerr *graph.Error
	if v := verdict(t, g, "broken"); v.Kind != CannotBuild || !errors.As(v.Err, &gerr) || !strings.Contains(v.String(), `"missing.txt" does not exist`) {
		t.Errorf("broken, whose input is missing: %+v (%s)", v, v)
	}

	build(t, g)
	for _, name := range []string{"a.o", "b.o", "app"} {
		if v := verdict(t, g, name); v.Kind != UpToDate {
			t.Errorf("%s after the build: %+v", name, v)
		}
	}

	// A header that the depfiles named changes: both objects run, and app
	// runs if they come out different.
	write(t, filepath.Join(g.Root, "common.h"), "h2\n")
	want := event.Because(event.InputChanged, "common.h")
	if v := verdict(t, g, "a.o"); v.Kind != Runs || v.Reason != want {
		t.Errorf("a.o after common.h changed: %+v", v)
	}
	v := verdict(t, g, "app")
	wantDeps := []DepRun{{"a.o", want}, {"b.o", want}}
	if v.Kind != IfDepsChange || !slices.Equal(v.Deps, wantDeps) {
		t.Errorf("app after common.h changed: %+v, want deps %+v", v, wantDeps)
	}
	if got, want := v.String(), "if its deps' outputs change: a.o would run (input common.h changed); b.o would run (input common.h changed)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}

	// An output gone: it runs whatever its deps do.
	if err := os.Remove(filepath.Join(g.Root, "app")); err != nil {
		t.Fatal(err)
	}
	if v := verdict(t, g, "app"); v.Kind != Runs || v.Reason != event.Because(event.OutputMissing, "app") {
		t.Errorf("app without its output: %+v", v)
	}
}

func TestDescribe(t *testing.T) {
	g := project(t)
	build(t, g)
	d, err := Describe(g, target(t, g, "a.o"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Recorded || !slices.Equal(d.Discovered, []string{"common.h"}) || d.DeclaredIn != "Buildfile.toml" || d.Rule != nil {
		t.Errorf("Describe(a.o) = %+v", d)
	}
	want := `a.o
  rule: obj (for a.c)
  declared in: Buildfile.toml
  cmd:
    cat a.c common.h > a.o; echo 'a.o: a.c common.h' > a.d
  deps: (none)
  reverse deps:
    obj
  inputs:
    a.c
  depfile: a.d
  inputs its last depfile named:
    common.h
  outputs:
    a.o
  would run: no (up to date)
`
	if got := d.String(); got != want {
		t.Errorf("a.o:\n%s\nwant:\n%s", got, want)
	}

	d, err = Describe(g, target(t, g, "obj"))
	if err != nil {
		t.Fatal(err)
	}
	want = `obj
  rule: obj: over *.c, 2 targets
  declared in: Buildfile.toml
  deps:
    a.o
    b.o
  reverse deps:
    app
  inputs: (none)
  outputs: (none)
  would run: nothing itself (it has no cmd: it is done when its deps are)
`
	if got := d.String(); got != want || d.Rule == nil || d.Recorded {
		t.Errorf("obj (%+v):\n%s\nwant:\n%s", d, got, want)
	}

	d, err = Describe(g, target(t, g, "app"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"\n  description: LINK app\n", "\n  pool: link\n", "\n  reverse deps:\n    all\n"} {
		if !strings.Contains(d.String(), line) {
			t.Errorf("app lacks %q:\n%s", line, d)
		}
	}
}

func TestDescribeWithADamagedState(t *testing.T) {
	g := project(t)
	// The state folder is a file: the state cannot be opened.
	write(t, filepath.Join(g.Root, ".gobuildj"), "not a folder")
	if _, err := Describe(g, target(t, g, "a.o")); err == nil || !strings.HasPrefix(err.Error(), "state: ") {
		t.Errorf("Describe with a damaged state: %v", err)
	}
}
