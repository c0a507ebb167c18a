package graph

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const sample = `
default = ["app"]

[vars]
cc = "cc"

[targets.all]
description = "everything"
deps = ["app", "test"]

[targets.test]
deps = ["build/app", "app"]
cmd = "./build/app --selftest"
always = true

[targets.app]
deps = ["obj", "gen/version.h"]
outputs = ["build/app"]
cmd = "${cc} -o ${out} ${deps}"
timeout = "5m"
kill_timeout = "10s"
env = { LC_ALL = "C", B = "2" }

[targets.obj]
inputs = ["src/*.c", "gen/version.h"]
outputs = ["build/main.o", "./build//util.o"]
cmd = ["${cc} -c src/main.c -o build/main.o", "${cc} -c src/util.c -o build/util.o"]
dir = "./"

[targets.version]
outputs = ["gen/version.h"]
cmd = "echo '#define V 1' > ${out}"
`

var sampleFiles = map[string]string{"src/main.c": "", "src/util.c": ""}

func TestLoadSample(t *testing.T) {
	g, dir, err := loadText(t, sample, sampleFiles)
	if err != nil {
		t.Fatal(err)
	}
	dir, _ = filepath.EvalSymlinks(dir)
	root, _ := filepath.EvalSymlinks(g.Root)
	if root != dir || g.File != filepath.Join(g.Root, "Buildfile.toml") || !filepath.IsAbs(g.File) {
		t.Errorf("Root = %q, File = %q; want %q", g.Root, g.File, dir)
	}
	if !slices.Equal(g.Default, []string{"app"}) {
		t.Errorf("Default = %q", g.Default)
	}
	// Depth first from each target in file order, deps in order.
	wantOrder := []string{"version", "obj", "app", "test", "all"}
	if got := names(g.Targets); !slices.Equal(got, wantOrder) {
		t.Errorf("order = %q, want %q", got, wantOrder)
	}
	checkDAG(t, g)

	type want struct {
		deps, rdeps, inputs, outputs, cmds, env []string
		dir, desc                               string
		timeout, kill                           time.Duration
		always, alias                           bool
	}
	for name, w := range map[string]want{
		"all": {deps: []string{"app", "test"}, desc: "everything", dir: ".", alias: true},
		"test": {deps: []string{"app"}, rdeps: []string{"all"}, cmds: []string{"./build/app --selftest"},
			desc: "test", dir: ".", always: true},
		"app": {deps: []string{"obj", "version"}, rdeps: []string{"test", "all"}, outputs: []string{"build/app"},
			cmds: []string{"cc -o build/app build/main.o build/util.o gen/version.h"}, env: []string{"B=2", "LC_ALL=C"},
			desc: "app", dir: ".", timeout: 5 * time.Minute, kill: 10 * time.Second},
		"obj": {deps: []string{"version"}, rdeps: []string{"app"}, inputs: []string{"gen/version.h", "src/main.c", "src/util.c"},
			outputs: []string{"build/main.o", "build/util.o"},
			cmds:    []string{"cc -c src/main.c -o build/main.o", "cc -c src/util.c -o build/util.o"}, desc: "obj", dir: "."},
		"version": {rdeps: []string{"obj", "app"}, outputs: []string{"gen/version.h"},
			cmds: []string{"echo '#define V 1' > gen/version.h"}, desc: "version", dir: "."},
	} {
		tg, ok := g.Lookup(name)
		if !ok {
			t.Fatalf("no target %q", name)
		}
		got := want{
			deps: names(tg.Deps), rdeps: names(tg.RDeps), inputs: tg.Inputs, outputs: tg.Outputs, cmds: tg.Cmds,
			env: tg.Env, dir: tg.Dir, desc: tg.Description, timeout: tg.Timeout, kill: tg.KillTimeout,
			always: tg.Always, alias: tg.IsAlias(),
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", w) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, w)
		}
	}
}

// checkDAG checks the invariants of a Graph: IDs are indexes, deps come
// first, RDeps mirror Deps sorted by ID, no duplicates.
func checkDAG(t *testing.T, g *Graph) {
	t.Helper()
	for i, tg := range g.Targets {
		if tg.ID != i {
			t.Errorf("%s: ID %d at index %d", tg.Name, tg.ID, i)
		}
		seen := map[*Target]bool{}
		for _, d := range tg.Deps {
			if d.ID >= tg.ID {
				t.Errorf("%s (ID %d) comes before its dep %s (ID %d)", tg.Name, tg.ID, d.Name, d.ID)
			}
			if seen[d] {
				t.Errorf("%s: dep %s twice", tg.Name, d.Name)
			}
			seen[d] = true
			if !slices.Contains(d.RDeps, tg) {
				t.Errorf("%s is not in the RDeps of its dep %s", tg.Name, d.Name)
			}
		}
		if !slices.IsSortedFunc(tg.RDeps, func(a, b *Target) int { return a.ID - b.ID }) {
			t.Errorf("%s: RDeps not sorted by ID: %q", tg.Name, names(tg.RDeps))
		}
		for _, r := range tg.RDeps {
			if !slices.Contains(r.Deps, tg) {
				t.Errorf("%s has rdep %s that does not depend on it", tg.Name, r.Name)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	g := mustLoad(t, sample, sampleFiles)
	for _, c := range []struct {
		name, want string
	}{
		{"app", "app"},
		{"build/app", "app"},
		{"./build/app", "app"},
		{"build//app", "app"},
		{"build/../build/app", "app"},
		{filepath.Join(g.Root, "build/util.o"), "obj"},
		{"gen/version.h", "version"},
		{"nope", ""},
		{"src/main.c", ""},
		{"/build/app", ""},
		{filepath.Join(g.Root, "..", "build/app"), ""},
		{"", ""},
	} {
		tg, ok := g.Lookup(c.name)
		if ok != (c.want != "") || ok && tg.Name != c.want {
			t.Errorf("Lookup(%q) = %v, %v; want %q", c.name, tg, ok, c.want)
		}
	}
}

func TestSelect(t *testing.T) {
	withDefault := mustLoad(t, sample, sampleFiles)
	withAll := mustLoad(t, strings.Replace(sample, `default = ["app"]`, "", 1), sampleFiles)
	neither := mustLoad(t, "[targets.c]\ndeps = [\"b\"]\n[targets.b]\ncmd = \"x\"\n[targets.a]\ncmd = \"x\"\n", nil)
	var many strings.Builder
	for i := range 12 {
		fmt.Fprintf(&many, "[targets.t%02d]\ncmd = \"x\"\n", 11-i)
	}
	tooMany := mustLoad(t, many.String(), nil)
	empty := mustLoad(t, "# nothing yet\n", nil)

	for _, c := range []struct {
		name  string
		g     *Graph
		args  []string
		want  []string
		error string
	}{
		{"default", withDefault, nil, []string{"app"}, ""},
		{"all", withAll, nil, []string{"all"}, ""},
		{"named", withDefault, []string{"test", "obj"}, []string{"test", "obj"}, ""},
		{"by output, deduplicated", withDefault, []string{"build/app", "app", "./build/main.o", "obj"}, []string{"app", "obj"}, ""},
		{"unknown", withDefault, []string{"app", "tets"}, nil,
			`Buildfile.toml: unknown target "tets" (expected a target name or an output path declared by a target; did you mean "test"?)`},
		{"unknown output", withDefault, []string{"build/ap"}, nil,
			`Buildfile.toml: unknown target "build/ap" (expected a target name or an output path declared by a target; did you mean "build/app"?)`},
		{"no default: the roots", neither, nil, []string{"c", "a"}, ""},
		{"no default: the roots, of many", tooMany, []string{}, []string{"t11", "t10", "t09", "t08", "t07", "t06", "t05", "t04", "t03", "t02", "t01", "t00"}, ""},
		{"no targets", empty, nil, nil,
			`Buildfile.toml: nothing to build: the Buildfile has no targets (expected [targets.NAME] sections)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			sel, err := c.g.Select(c.args)
			if c.error != "" {
				var e *Error
				if err == nil || err.Error() != c.error || !errors.As(err, &e) {
					t.Fatalf("got %v\nwant %s", err, c.error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(sel); !slices.Equal(got, c.want) {
				t.Errorf("Select(%q) = %q, want %q", c.args, got, c.want)
			}
		})
	}
}

func TestLoadValid(t *testing.T) {
	for _, c := range []struct {
		name  string
		text  string
		check func(t *testing.T, g *Graph)
	}{
		{"empty file", "", func(t *testing.T, g *Graph) {
			if len(g.Targets) != 0 || len(g.Default) != 0 {
				t.Errorf("targets %q, default %q", names(g.Targets), g.Default)
			}
		}},
		{"default as a string, by output, with a var", "default = \"${o}\"\n[vars]\no = \"out/x\"\n[targets.x]\noutputs = [\"out/x\"]\ncmd = \"x\"\n", func(t *testing.T, g *Graph) {
			sel, err := g.Select(nil)
			if err != nil || len(sel) != 1 || sel[0].Name != "x" || !slices.Equal(g.Default, []string{"out/x"}) {
				t.Errorf("Select = %q, %v; Default %q", names(sel), err, g.Default)
			}
		}},
		{"empty table and empty lists", "[targets.a]\n[targets.b]\ndeps = []\ninputs = []\noutputs = []\nenv = {}\n", func(t *testing.T, g *Graph) {
			for _, tg := range g.Targets {
				if !tg.IsAlias() || tg.Deps != nil || tg.Inputs != nil || tg.Outputs != nil || tg.Env != nil || tg.Dir != "." {
					t.Errorf("%s: %+v", tg.Name, *tg)
				}
			}
		}},
		{"inline and dotted targets", "targets.a = { cmd = \"x\", deps = [\"b\"] }\n[targets]\nb.cmd = \"y\"\nb.timeout = \"0s\"\n", func(t *testing.T, g *Graph) {
			if got := names(g.Targets); !slices.Equal(got, []string{"b", "a"}) {
				t.Errorf("order %q", got)
			}
		}},
		{"duplicate deps and outputs collapse", "[targets.a]\noutputs = [\"x\", \"./x\", \"y\"]\ncmd = \"c\"\n[targets.b]\ndeps = [\"a\", \"x\", \"y\", \"a\"]\ninputs = [\"x\"]\n", func(t *testing.T, g *Graph) {
			b, _ := g.Lookup("b")
			a, _ := g.Lookup("a")
			if len(b.Deps) != 1 || len(a.RDeps) != 1 || !slices.Equal(a.Outputs, []string{"x", "y"}) {
				t.Errorf("b deps %q, a rdeps %q, a outputs %q", names(b.Deps), names(a.RDeps), a.Outputs)
			}
		}},
		{"a target named like its own output", "[targets.\"gen/v.h\"]\noutputs = [\"gen/v.h\"]\ncmd = \"x\"\n", func(t *testing.T, g *Graph) {
			if tg, ok := g.Lookup("gen/v.h"); !ok || tg.Name != "gen/v.h" {
				t.Errorf("Lookup = %v %v", tg, ok)
			}
		}},
		{"dir forms", "[targets.a]\ndir = \"\"\n[targets.b]\ndir = \"sub/./x/\"\n[targets.c]\ndir = \"../up\"\n[targets.d]\ndir = \"${target}\"\n", func(t *testing.T, g *Graph) {
			for name, want := range map[string]string{"a": ".", "b": "sub/x", "c": "../up", "d": "d"} {
				if tg, _ := g.Lookup(name); tg.Dir != want {
					t.Errorf("%s: Dir = %q, want %q", name, tg.Dir, want)
				}
			}
		}},
		{"dir above the folder: paths become absolute", "[targets.a]\ndir = \"../up\"\noutputs = [\"o\"]\ncmd = \"x ${out}\"\n", func(t *testing.T, g *Graph) {
			a, _ := g.Lookup("a")
			if want := "x " + filepath.Join(g.Root, "o"); a.Cmds[0] != want {
				t.Errorf("cmd %q, want %q", a.Cmds[0], want)
			}
		}},
		{"empty description", "[targets.a]\ndescription = \"\"\n[targets.b]\ndescription = \"${e}\"\n[vars]\ne = \"\"\n", func(t *testing.T, g *Graph) {
			for _, tg := range g.Targets {
				if tg.Description != tg.Name {
					t.Errorf("%s: Description = %q, want the name", tg.Name, tg.Description)
				}
			}
		}},
		{"zero durations", "[targets.a]\ntimeout = \"0s\"\nkill_timeout = \"0\"\ncmd = \"x\"\n", func(t *testing.T, g *Graph) {
			if a := g.Targets[0]; a.Timeout != 0 || a.KillTimeout != 0 {
				t.Errorf("%v %v", a.Timeout, a.KillTimeout)
			}
		}},
		{"ports", "[targets.a]\ncmd = \"x\"\nports = 3\n[targets.b]\ncmd = \"y\"\n[targets.c]\ncmd = \"z\"\nports = 0\n", func(t *testing.T, g *Graph) {
			for _, tg := range g.Targets {
				want := map[string]int{"a": 3, "b": 0, "c": 0}[tg.Name]
				if tg.Ports != want {
					t.Errorf("%s: Ports = %d, want %d", tg.Name, tg.Ports, want)
				}
			}
		}},
		{"multi-line and literal strings", "[targets.a]\ncmd = '''\nprintf '%s\\n' $$x ${target}\n'''\n", func(t *testing.T, g *Graph) {
			if want := "printf '%s\\n' $x a\n"; g.Targets[0].Cmds[0] != want {
				t.Errorf("cmd %q, want %q", g.Targets[0].Cmds[0], want)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := mustLoad(t, c.text, nil)
			checkDAG(t, g)
			c.check(t, g)
		})
	}
}

// TestLoadAbsoluteDir checks that an absolute dir under the Buildfile's
// folder is made relative to it.
func TestLoadAbsoluteDir(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Buildfile.toml": fmt.Sprintf("[targets.a]\ndir = %q\n", filepath.Join(dir, "sub"))})
	g, err := Load(filepath.Join(dir, "Buildfile.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Targets[0].Dir != "sub" {
		t.Errorf("Dir = %q, want sub", g.Targets[0].Dir)
	}
}

// TestTopologicalOrderLarge checks the order on a generated graph with many
// shared deps, and that a long chain does not exhaust anything.
func TestTopologicalOrderLarge(t *testing.T) {
	var b strings.Builder
	const n = 3000
	for i := n - 1; i >= 0; i-- { // declared in reverse: every dep comes later in the file
		fmt.Fprintf(&b, "[targets.t%d]\ncmd = \"x\"\n", i)
		if i > 0 {
			fmt.Fprintf(&b, "deps = [\"t%d\"", i-1)
			if i > 10 {
				fmt.Fprintf(&b, ", \"t%d\", \"t%d\"", i/2, i/3)
			}
			b.WriteString("]\n")
		}
	}
	g := mustLoad(t, b.String(), nil)
	checkDAG(t, g)
	if g.Targets[0].Name != "t0" || g.Targets[n-1].Name != fmt.Sprintf("t%d", n-1) {
		t.Errorf("order starts %s, ends %s", g.Targets[0].Name, g.Targets[n-1].Name)
	}
}

func TestErrorFormat(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{File: "B.toml", Line: 12, Col: 3, Target: "app", Key: "deps", Msg: "m"}, `B.toml:12:3: target "app": deps: m`},
		{Error{File: "B.toml", Line: 12, Target: "app", Msg: "m"}, `B.toml:12: target "app": m`},
		{Error{File: "B.toml", Col: 3, Key: "vars.cc", Msg: "m"}, `B.toml: vars.cc: m`},
		{Error{File: "B.toml", Msg: "dependency cycle: a -> a"}, `B.toml: dependency cycle: a -> a`},
		{Error{Target: "a b", Msg: "m"}, `target "a b": m`},
		{Error{Msg: "m"}, `m`},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"always", "cmd", "deps", "description", "dir", "env", "inputs", "kill_timeout", "outputs", "ports", "timeout"}
	for _, c := range []struct{ word, want string }{
		{"dep", "deps"},
		{"DEPS", "deps"},
		{"timout", "timeout"},
		{"kill-timeout", "kill_timeout"},
		{"input", "inputs"},
		{"descripton", "description"},
		{"cmds", "cmd"},
		{"tiemout", "timeout"}, // a transposition is one edit
		{"ouptuts", "outputs"},
		{"x", ""},
		{"something", ""},
		{"", ""},
		{"deps", ""}, // itself is not a suggestion
	} {
		got, _ := closest(c.word, cands)
		if got != c.want {
			t.Errorf("closest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
	if got := listNames([]string{"a", "b", "c"}, 2); got != "a, b and 1 more" {
		t.Errorf("listNames = %q", got)
	}
}
