package depcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/trace"
)

// load writes a Buildfile and the given files in a temporary folder and
// loads it.
func load(t *testing.T, buildfile string, files ...string) *graph.Graph {
	t.Helper()
	dir := t.TempDir()
	for _, f := range append(files, "Buildfile.toml") {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		body := "x\n"
		if f == "Buildfile.toml" {
			body = buildfile
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
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
[targets.gen]
inputs = ["gen.sh"]
outputs = ["gen.h"]
cmd = "sh gen.sh > gen.h"

[targets.lib]
inputs = ["lib.c", "gen.h"]
outputs = ["lib.o"]
cmd = "cc -c lib.c"

[targets.app]
inputs = ["main.c"]
outputs = ["app"]
deps = ["lib"]
cmd = "cc main.c lib.o -o app"

[targets.other]
inputs = ["other.c"]
outputs = ["other.o", "other.log"]
cmd = "cc -c other.c"
`

var sources = []string{"gen.sh", "lib.c", "main.c", "other.c", "extra.h", "gen.h", "lib.o", "other.o", "other.log", "app"}

// check runs the checker on target name with report r (relative paths are
// made absolute in the project).
func check(t *testing.T, g *graph.Graph, name string, env map[string]string, r trace.Report) []event.DepFinding {
	t.Helper()
	target, ok := g.Lookup(name)
	if !ok {
		t.Fatalf("no target %s", name)
	}
	abs := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			if !filepath.IsAbs(p) {
				p = filepath.Join(g.Root, p)
			}
			out = append(out, p)
		}
		return out
	}
	r = trace.Report{Read: abs(r.Read), Written: abs(r.Written), Deleted: abs(r.Deleted), Probed: abs(r.Probed)}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c := New(g, lookup, nil, "")
	return c.Check(Ran{T: target, Report: &r})
}

func one(t *testing.T, fs []event.DepFinding, kind, path, fix string) {
	t.Helper()
	if len(fs) != 1 {
		t.Fatalf("want one finding, got %d: %+v", len(fs), fs)
	}
	f := fs[0]
	if f.Kind != kind || f.Path != path || f.Fix != fix {
		t.Fatalf("got %q %q fix %q; want %q %q fix %q", f.Kind, f.Path, f.Fix, kind, path, fix)
	}
}

func TestCleanRunFindsNothing(t *testing.T) {
	g := load(t, buildfile, sources...)
	env := map[string]string{"HOME": "/home/u"}
	fs := check(t, g, "app", env, trace.Report{
		Read:    []string{"main.c", "lib.o", "/usr/lib/libc.so.6", "/etc/ld.so.cache", "/tmp/cc1.s", ".gobuildj/x", ".", "/home/u/.cache/go-build/ab"},
		Written: []string{"app", "/tmp/cc1.s", "/tmp/ccXX.o"},
		Deleted: []string{"/tmp/cc1.s"},
		Probed:  []string{"nothere.h", "/usr/include/x.h"},
	})
	if len(fs) != 0 {
		t.Fatalf("want nothing, got %+v", fs)
	}
}

func TestUndeclaredRead(t *testing.T) {
	g := load(t, buildfile, sources...)
	fs := check(t, g, "app", nil, trace.Report{Read: []string{"main.c", "extra.h"}, Written: []string{"app"}})
	one(t, fs, UndeclaredRead, "extra.h", `add "extra.h" to inputs of app`)
	if !strings.Contains(fs[0].TOML, `[targets.app]`) || !strings.Contains(fs[0].TOML, `"extra.h"`) {
		t.Errorf("TOML: %s", fs[0].TOML)
	}
}

func TestMissingDep(t *testing.T) {
	g := load(t, buildfile, sources...)
	fs := check(t, g, "other", nil, trace.Report{Read: []string{"other.c", "gen.h"}, Written: []string{"other.o", "other.log"}})
	one(t, fs, MissingDep, "gen.h", `add deps = ["gen"] to other (or add "gen.h" to its inputs, which makes gen a dep)`)
	if fs[0].Producer != "gen" {
		t.Errorf("producer %q", fs[0].Producer)
	}
}

func TestTransitiveDepOutputIsUndeclaredNotMissing(t *testing.T) {
	g := load(t, buildfile, sources...)
	// app reaches gen through lib: ordered, but its key does not cover gen.h.
	fs := check(t, g, "app", nil, trace.Report{Read: []string{"main.c", "lib.o", "gen.h"}, Written: []string{"app"}})
	one(t, fs, UndeclaredRead, "gen.h", `add "gen.h" to inputs of app`)
	if fs[0].Producer != "gen" || !strings.Contains(fs[0].Why, "only through other targets") {
		t.Errorf("got %+v", fs[0])
	}
}

func TestUndeclaredWrite(t *testing.T) {
	g := load(t, buildfile, sources...)
	fs := check(t, g, "app", map[string]string{"TMPDIR": "/scratch"}, trace.Report{
		Read: []string{"main.c"}, Written: []string{"app", "out", "out/extra.log", "/scratch/a"},
	})
	one(t, fs, UndeclaredWrite, "out/extra.log", `add "out/extra.log" to outputs of app, or write it under $TMPDIR`)
}

func TestScratchFileAndOutputFoldersAreNotWrites(t *testing.T) {
	g := load(t, `
[targets.app]
outputs = ["build/bin/app"]
cmd = "x"
`)
	fs := check(t, g, "app", nil, trace.Report{
		Written: []string{"build", "build/bin", "build/bin/app", "build/bin/.tmp123"},
		Deleted: []string{"build/bin/.tmp123"},
	})
	if len(fs) != 0 {
		t.Fatalf("want nothing, got %+v", fs)
	}
}

func TestUnwrittenOutput(t *testing.T) {
	g := load(t, buildfile, sources...)
	fs := check(t, g, "other", nil, trace.Report{Read: []string{"other.c"}, Written: []string{"other.o"}})
	one(t, fs, UnwrittenOutput, "other.log", `remove "other.log" from outputs of other (or make its command write it)`)
}

func TestOutputReadAndKeptIsWritten(t *testing.T) {
	g := load(t, buildfile, sources...)
	// go build reads the binary it would write and keeps it when its
	// build ID matches.
	fs := check(t, g, "other", nil, trace.Report{Read: []string{"other.c", "other.log"}, Written: []string{"other.o"}})
	if len(fs) != 0 {
		t.Fatalf("want nothing, got %+v", fs)
	}
}

func TestOutsideWrite(t *testing.T) {
	g := load(t, buildfile, sources...)
	fs := check(t, g, "app", map[string]string{"HOME": "/home/u"}, trace.Report{
		Read: []string{"main.c", "lib.o"}, Written: []string{"app", "/home/u/.cache/tool/x"},
	})
	one(t, fs, UndeclaredWrite, "/home/u/.cache/tool/x", "write it under $TMPDIR, or inside the project as an output of app; if the file is a tool's cache, allow it with [check] allow")
}

func TestOutsideReads(t *testing.T) {
	g := load(t, buildfile, sources...)
	env := map[string]string{"HOME": "/home/u"}
	fs := check(t, g, "app", env, trace.Report{
		Read:    []string{"main.c", "lib.o", "/home/u/.npmrc", "/srv/shared/config.mk"},
		Written: []string{"app"},
	})
	if len(fs) != 2 {
		t.Fatalf("want two, got %+v", fs)
	}
	if fs[0].Kind != OutsideRead || fs[0].Path != "/home/u/.npmrc" || !strings.Contains(fs[0].Why, "dotfile") {
		t.Errorf("first: %+v", fs[0])
	}
	if fs[1].Path != "/srv/shared/config.mk" || fs[1].Fix != `add "/srv/shared/config.mk" to inputs of app (its content then enters the key), or allow it with [check] allow` {
		t.Errorf("second: %+v", fs[1])
	}
}

func TestAllowList(t *testing.T) {
	g := load(t, buildfile, sources...)
	target, _ := g.Lookup("app")
	c := New(g, func(string) (string, bool) { return "", false }, []string{"/srv/shared", "vendor", "**/*_test.go", "/opt2/*.cfg"}, "")
	r := &trace.Report{
		Read: []string{filepath.Join(g.Root, "main.c"), filepath.Join(g.Root, "lib.o"), "/srv/shared/config.mk",
			filepath.Join(g.Root, "vendor/x.h"), filepath.Join(g.Root, "pkg/a_test.go"), "/opt2/a.cfg"},
		Written: []string{filepath.Join(g.Root, "app")},
	}
	if fs := c.Check(Ran{T: target, Report: r}); len(fs) != 0 {
		t.Fatalf("want nothing, got %+v", fs)
	}
}

func TestOrderProbe(t *testing.T) {
	g := load(t, buildfile, "gen.sh", "lib.c", "main.c", "other.c")
	fs := check(t, g, "other", nil, trace.Report{
		Read: []string{"other.c"}, Written: []string{"other.o", "other.log"}, Probed: []string{"gen.h", "nothing.h"},
	})
	one(t, fs, OrderProbe, "gen.h", `if other should see gen.h, add deps = ["gen"] to other`)
}

func TestDepfileAndDyndepInputsAreDeclared(t *testing.T) {
	g := load(t, buildfile, sources...)
	target, _ := g.Lookup("app")
	c := New(g, nil, nil, "")
	r := &trace.Report{
		Read:    []string{filepath.Join(g.Root, "main.c"), filepath.Join(g.Root, "lib.o"), filepath.Join(g.Root, "extra.h"), filepath.Join(g.Root, "other.o")},
		Written: []string{filepath.Join(g.Root, "app")},
	}
	other, _ := g.Lookup("other")
	fs := c.Check(Ran{T: target, Report: r, Discovered: []string{"extra.h"}, DynDeps: []*graph.Target{other}})
	// extra.h came from the depfile, other.o is the output of a dep the
	// dyndep file named: both declared.
	if len(fs) != 0 {
		t.Fatalf("got %+v", fs)
	}
}

func TestNoReportNoFinding(t *testing.T) {
	g := load(t, buildfile, sources...)
	target, _ := g.Lookup("app")
	if fs := New(g, nil, nil, "").Check(Ran{T: target}); fs != nil {
		t.Fatalf("got %+v", fs)
	}
}

func TestReadOfADepsOutputItDoesNotConsume(t *testing.T) {
	g := load(t, `
[targets.gen]
outputs = ["gen.h", "gen.c"]
cmd = "x"

[targets.use]
inputs = ["gen.h"]
outputs = ["use.o"]
cmd = "y"
`, "gen.h", "gen.c")
	fs := check(t, g, "use", nil, trace.Report{Read: []string{"gen.h", "gen.c"}, Written: []string{"use.o"}})
	one(t, fs, UndeclaredRead, "gen.c", `add "gen.c" to inputs of use`)
	if fs[0].Producer != "gen" || !strings.Contains(fs[0].Why, "through other outputs only") {
		t.Errorf("got %+v", fs[0])
	}
}

// A depfile (or a trace) that names a generated file does not make up for
// a missing dependency path to its producer: ninja's missingdeps.
func TestDepfileNamingAGeneratedFileWithoutADepPath(t *testing.T) {
	g := load(t, buildfile, sources...)
	target, _ := g.Lookup("other")
	c := New(g, nil, nil, "")
	r := &trace.Report{
		Read:    []string{filepath.Join(g.Root, "other.c"), filepath.Join(g.Root, "gen.h")},
		Written: []string{filepath.Join(g.Root, "other.o"), filepath.Join(g.Root, "other.log")},
	}
	fs := c.Check(Ran{T: target, Report: r, Discovered: []string{"gen.h"}})
	one(t, fs, MissingDep, "gen.h", `add deps = ["gen"] to other (or add "gen.h" to its inputs, which makes gen a dep)`)
}
