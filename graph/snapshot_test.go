package graph

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// snapProject writes a Buildfile and files into a new folder with a
// .gobuildj state folder (where the snapshot goes) and ages every file and
// folder, so that their stats can be trusted (not racy).
func snapProject(t *testing.T, buildfile string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	writeFiles(t, dir, map[string]string{"Buildfile.toml": buildfile})
	if err := os.Mkdir(statedir.Of(dir).Path(), 0o755); err != nil {
		t.Fatal(err)
	}
	age(t, dir)
	return dir
}

// age sets the mtime of everything under dir an hour back.
func age(t *testing.T, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// cached is LoadCached of dir's Buildfile, writing snapshots.
func cached(t *testing.T, dir string) *Graph {
	t.Helper()
	g, err := LoadCached(filepath.Join(dir, "Buildfile.toml"), true)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// sameGraph compares two graphs field by field, through every exported
// field of Graph and Target (deps and reverse deps by name).
func sameGraph(t *testing.T, got, want *Graph) {
	t.Helper()
	if got.File != want.File || got.Root != want.Root || !reflect.DeepEqual(got.Default, want.Default) ||
		!reflect.DeepEqual(got.Remote, want.Remote) || len(got.Targets) != len(want.Targets) ||
		!reflect.DeepEqual(got.Files, want.Files) || !reflect.DeepEqual(got.Pools, want.Pools) || len(got.Rules) != len(want.Rules) {
		t.Fatalf("graphs differ: %+v\nwant %+v", got, want)
	}
	for i, w := range want.Rules {
		g := got.Rules[i]
		if g.Name != w.Name || !reflect.DeepEqual(g.Foreach, w.Foreach) || g.Target.Name != w.Target.Name ||
			!slices.Equal(names(g.Instances), names(w.Instances)) {
			t.Errorf("rule %s differs: %+v, want %+v", w.Name, g, w)
		}
	}
	for i, w := range want.Targets {
		g := got.Targets[i]
		gv, wv := reflect.ValueOf(g).Elem(), reflect.ValueOf(w).Elem()
		for f := range gv.NumField() {
			name := gv.Type().Field(f).Name
			switch name {
			case "Deps", "RDeps":
				if !slices.Equal(names(gv.Field(f).Interface().([]*Target)), names(wv.Field(f).Interface().([]*Target))) {
					t.Errorf("target %s: %s differ", w.Name, name)
				}
			default:
				if !reflect.DeepEqual(gv.Field(f).Interface(), wv.Field(f).Interface()) {
					t.Errorf("target %s: %s = %#v, want %#v", w.Name, name, gv.Field(f).Interface(), wv.Field(f).Interface())
				}
			}
		}
	}
	for _, w := range want.Targets {
		if g, ok := got.Lookup(w.Name); !ok || g.Name != w.Name {
			t.Errorf("Lookup(%q) failed on the snapshot's graph", w.Name)
		}
		for _, o := range w.Outputs {
			if g, ok := got.Lookup(o); !ok || g.Name != w.Name {
				t.Errorf("Lookup(%q) failed on the snapshot's graph", o)
			}
		}
	}
}

// richBuildfile uses every key of a target and of [remote], a pool, a rule
// and an include (richFiles holds the included Buildfile and the sources).
const richBuildfile = `
default = ["all"]
include = ["lib/Buildfile.toml"]
[pools.link]
depth = 1
[rules.obj]
foreach = "src/**/*.c"
exclude = ["src/skip.c"]
outputs = ["build/${stem}.o"]
inputs = ["${match}"]
cmd = "cc -MD -MF ${out}.d -c ${in} -o ${out}"
depfile = "${out}.d"
[targets.link]
deps = ["obj"]
outputs = ["build/linked"]
cmd = "cc -o ${out} ${deps}"
pool = "link"

[vars]
cc = "cc"
[remote]
cache = "grpc://localhost:1"
instance = "main"
upload = true
jobs = 3
timeout = "7s"
exec_timeout = "9m"
tls_cert = "me.pem"
tls_key = "me-key.pem"
headers = { A = "1" }
platform = { OSFamily = "linux" }
[targets.all]
description = "everything"
deps = ["app", "gen", "build/map.ok"]
[targets.mapcheck]
deps = ["build/app.map"]
outputs = ["build/map.ok"]
cmd = "touch ${out}"
[targets.gen]
outputs = ["gen/v.h"]
cmd = ["mkdir -p gen", "echo 1 > ${out}"]
always = true
ports = 2
remote = false
[targets.app]
description = "LINK ${out}"
inputs = ["src/**/*.c", "gen/v.h"]
outputs = ["build/app", "build/app.map"]
cmd = "${cc} -o ${out} ${in}"
dir = "."
env = { LC_ALL = "C", B = "2" }
timeout = "5m"
kill_timeout = "10s"
`

var richFiles = map[string]string{
	"src/a.c": "", "src/sub/b.c": "", "src/skip.c": "",
	"lib/Buildfile.toml": "[targets.lib]\ninputs = [\"*.h\"]\noutputs = [\"lib.a\"]\ncmd = \"ar rcs ${out} ${in}\"\npool = \"console\"\n",
	"lib/x.h":            "",
}

// TestSnapshotRoundTrip loads a Buildfile that uses every key, then loads
// it again from the snapshot: the graphs are the same in every field.
func TestSnapshotRoundTrip(t *testing.T) {
	dir := snapProject(t, richBuildfile, richFiles)
	first := cached(t, dir)
	if first.fromSnapshot {
		t.Fatal("the first load came from a snapshot")
	}
	second := cached(t, dir)
	if !second.fromSnapshot {
		t.Fatal("the second load did not use the snapshot")
	}
	want, err := Load(filepath.Join(dir, "Buildfile.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Rules) != 1 || len(want.Files) != 2 || want.Pools["link"] != 1 {
		t.Fatalf("the Buildfile does not use rules, includes and pools as meant: %+v", want)
	}
	sameGraph(t, second, want)
	if sel, err := second.Select(nil); err != nil || len(sel) != 1 || sel[0].Name != "all" {
		t.Errorf("Select(nil) = %v, %v", names(sel), err)
	}
}

// TestSnapshotCoversEveryField fails when Target or Graph gains a field:
// the snapshot must then encode it (snapcodec.go) and this list grow.
func TestSnapshotCoversEveryField(t *testing.T) {
	encoded := map[reflect.Type][]string{
		reflect.TypeOf(Target{}): {"ID", "Name", "Description", "Deps", "Consumes", "RDeps", "Inputs", "Globs", "Outputs", "Cmds",
			"Dir", "Env", "Timeout", "KillTimeout", "Always", "Ports", "Retries", "LocalOnly", "Pool", "Depfile", "Dyndep", "Tools", "EnvInputs", "Secondary", "Intermediate", "Sandbox", "Trace", "Rule", "Match", "File"},
		reflect.TypeOf(Graph{}): {"File", "Root", "Default", "KeepStale", "Targets", "Files", "Pools", "Rules", "Remote", "Check", "Warnings", "byName", "byOutput",
			"indexOnce", "indexed", "display", "env", "cmds", "overrides", "fromSnapshot", "unsaved"},
		reflect.TypeOf(Rule{}): {"Name", "Foreach", "Target", "Instances"},
		reflect.TypeOf(Remote{}): {"Cache", "Exec", "Instance", "Upload", "Strict", "Jobs", "Timeout", "ExecTimeout", "Salt", "Path",
			"TLSCA", "TLSCert", "TLSKey", "Headers", "Platform", "Set"},
	}
	for typ, fields := range encoded {
		var got []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Name)
		}
		if !slices.Equal(got, fields) {
			t.Errorf("%s has fields %v; the snapshot knows %v: encode the new ones", typ.Name(), got, fields)
		}
	}
}

// TestSnapshotStale changes, one at a time, each thing a graph depends on,
// and checks that the next load sees the change (and that, unchanged, it
// comes from the snapshot).
func TestSnapshotStale(t *testing.T) {
	const buildfile = `
[targets.all]
inputs = ["src/**/*.c", "inc/*.h"]
cmd = "cc ${in}"
`
	files := map[string]string{"src/a.c": "", "src/deep/b.c": "", "inc/x.h": ""}
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		inputs []string // of "all" afterwards
	}{
		{"nothing", func(*testing.T, string) {}, []string{"inc/x.h", "src/a.c", "src/deep/b.c"}},
		{"Buildfile edited", func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"Buildfile.toml": `
[targets.all]
inputs = ["src/**/*.c"]
cmd = "cc ${in}"
`})
		}, []string{"src/a.c", "src/deep/b.c"}},
		{"Buildfile rewritten with the same size and mtime", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "Buildfile.toml")
			st, _ := os.Stat(p)
			writeFiles(t, dir, map[string]string{"Buildfile.toml": `
[targets.all]
inputs = ["src/**/*.c", "inc/*.x"]
cmd = "cc ${in}"
`})
			os.Chtimes(p, st.ModTime(), st.ModTime())
		}, []string{"src/a.c", "src/deep/b.c"}},
		{"file added to a glob folder", func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"src/c.c": ""})
		}, []string{"inc/x.h", "src/a.c", "src/c.c", "src/deep/b.c"}},
		{"file added deep in a ** glob", func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"src/deep/d.c": ""})
		}, []string{"inc/x.h", "src/a.c", "src/deep/b.c", "src/deep/d.c"}},
		{"folder added under a ** glob", func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"src/new/e.c": ""})
		}, []string{"inc/x.h", "src/a.c", "src/deep/b.c", "src/new/e.c"}},
		{"file removed from a glob folder", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "src/deep/b.c"))
		}, []string{"inc/x.h", "src/a.c"}},
		{"glob folder removed", func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, "inc"))
		}, []string{"src/a.c", "src/deep/b.c"}},
		{"file renamed in a glob folder", func(t *testing.T, dir string) {
			os.Rename(filepath.Join(dir, "inc/x.h"), filepath.Join(dir, "inc/y.h"))
		}, []string{"inc/y.h", "src/a.c", "src/deep/b.c"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := snapProject(t, buildfile, files)
			cached(t, dir)
			if !cached(t, dir).fromSnapshot {
				t.Fatal("the unchanged project was loaded without its snapshot")
			}
			c.change(t, dir)
			g := cached(t, dir)
			all, _ := g.Lookup("all")
			if !slices.Equal(all.Inputs, c.inputs) {
				t.Errorf("inputs %v, want %v (from snapshot: %v)", all.Inputs, c.inputs, g.fromSnapshot)
			}
			if c.name == "nothing" && !g.fromSnapshot {
				t.Error("the unchanged project was loaded without its snapshot")
			}
		})
	}
}

// TestSnapshotNotTrustedWhenRacy: a folder listed in the same instant it
// changed could change again unseen, so no snapshot relies on it.
func TestSnapshotNotTrustedWhenRacy(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Buildfile.toml": "[targets.all]\ninputs = [\"src/*.c\"]\ncmd = \"cc ${in}\"\n", "src/a.c": ""})
	os.Mkdir(statedir.Of(dir).Path(), 0o755)
	cached(t, dir) // src/ was just written: not snapshotted
	if _, err := os.Stat(statedir.Of(dir).Snapshot()); err == nil {
		t.Fatal("a snapshot was written although src/ changed within the racy window")
	}
	writeFiles(t, dir, map[string]string{"src/b.c": ""})
	all, _ := cached(t, dir).Lookup("all")
	if !slices.Equal(all.Inputs, []string{"src/a.c", "src/b.c"}) {
		t.Errorf("inputs %v", all.Inputs)
	}
}

// TestSnapshotDamaged: a snapshot cut short or overwritten with garbage is
// ignored and replaced.
func TestSnapshotDamaged(t *testing.T) {
	for _, damage := range []func([]byte) []byte{
		func(b []byte) []byte { return b[:len(b)/2] },
		func(b []byte) []byte { return b[:len(b)-1] },
		func(b []byte) []byte { b[len(b)-3] ^= 0x55; return b },
		func(b []byte) []byte { return []byte("GBJGRAPH") },
		func(b []byte) []byte { return nil },
	} {
		dir := snapProject(t, richBuildfile, richFiles)
		cached(t, dir)
		snap := statedir.Of(dir).Snapshot()
		data, err := os.ReadFile(snap)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(snap, damage(data), 0o644); err != nil {
			t.Fatal(err)
		}
		g := cached(t, dir)
		if g.fromSnapshot {
			t.Fatal("a damaged snapshot was used")
		}
		want, _ := Load(filepath.Join(dir, "Buildfile.toml"))
		sameGraph(t, g, want)
		if !cached(t, dir).fromSnapshot {
			t.Error("the damaged snapshot was not replaced")
		}
	}
}

// TestSnapshotNotWrittenWithoutStateFolder: a project that never built
// gets no .gobuildj folder from loading; SaveSnapshot writes the snapshot
// once the folder exists.
func TestSnapshotNotWrittenWithoutStateFolder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Buildfile.toml": "[targets.all]\ncmd = \"true\"\n"})
	age(t, dir)
	g := cached(t, dir)
	if _, err := os.Stat(statedir.Of(dir).Path()); err == nil {
		t.Fatal("loading created .gobuildj")
	}
	if err := os.Mkdir(statedir.Of(dir).Path(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := g.SaveSnapshot(); err != nil {
		t.Fatal(err)
	}
	if !cached(t, dir).fromSnapshot {
		t.Error("SaveSnapshot wrote no usable snapshot")
	}
}

// TestSnapshotStaleInclude: an edited included Buildfile, or a file added
// to the folder of a rule's foreach, makes the next load see the change.
func TestSnapshotStaleInclude(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(t *testing.T, dir string)
		check  func(g *Graph) bool
	}{
		{"include edited", func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"lib/Buildfile.toml": "[targets.lib]\ncmd = \"true\"\n[targets.more]\ncmd = \"true\"\n"})
		}, func(g *Graph) bool { _, ok := g.Lookup("lib/more"); return ok }},
		{"file added to a rule's folder", func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"src/sub/new.c": ""})
		}, func(g *Graph) bool { _, ok := g.Lookup("build/sub/new.o"); return ok }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := snapProject(t, richBuildfile, richFiles)
			cached(t, dir)
			if !cached(t, dir).fromSnapshot {
				t.Fatal("the unchanged project was loaded without its snapshot")
			}
			c.change(t, dir)
			if g := cached(t, dir); !c.check(g) {
				t.Errorf("the change is not in the graph (from snapshot: %v)", g.fromSnapshot)
			}
		})
	}
}

// TestSnapshotRemovesTempsOfKilledWriters: a temporary snapshot file left by
// a process killed while writing it is removed by the next snapshot
// written; one young enough to be another process's at work is kept.
func TestSnapshotRemovesTempsOfKilledWriters(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Buildfile.toml": "[targets.all]\ncmd = \"true\"\n"})
	age(t, dir)
	state := statedir.Of(dir)
	if err := os.Mkdir(state.Path(), 0o755); err != nil {
		t.Fatal(err)
	}
	var temps []string
	for range 2 {
		f, err := state.CreateSnapshotTemp()
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		temps = append(temps, f.Name())
	}
	old := time.Now().Add(-2 * staleSnapshotTemp)
	if err := os.Chtimes(temps[0], old, old); err != nil {
		t.Fatal(err)
	}
	if err := cached(t, dir).SaveSnapshot(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(temps[0]); err == nil {
		t.Errorf("the temporary file of a killed writer is still there: %s", temps[0])
	}
	if _, err := os.Stat(temps[1]); err != nil {
		t.Errorf("a young temporary file (another writer's) was removed: %v", err)
	}
}
