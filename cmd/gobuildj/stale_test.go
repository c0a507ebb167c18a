package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// staleRule builds NAME.out from each NAME.in: the example of a leftover
// output (issue 16): the rule stops matching bar.in once it is deleted.
const staleRule = `
[rules.out]
foreach = "*.in"
inputs  = ["${match}"]
outputs = ["${stem}.out"]
cmd     = "echo ${target} >> ran.log && cp ${in} ${out}"
`

// existsIn reports whether path (relative to dir) exists, links included.
func existsIn(t *testing.T, dir, path string) bool {
	t.Helper()
	_, err := os.Lstat(filepath.Join(dir, path))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

func remove(t *testing.T, dir string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.Remove(filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
}

func mtime(t *testing.T, path string) time.Time {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.ModTime()
}

func TestStaleOutputOfAMatchGoneIsRemoved(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": staleRule, "foo.in": "foo\n", "bar.in": "bar\n"})
	mustBuild(t, dir, "out")
	assertRan(t, dir, "foo.out", "bar.out")
	fooTime := mtime(t, filepath.Join(dir, "foo.out"))

	remove(t, dir, "bar.in")
	write(t, filepath.Join(dir, "baz.in"), "baz\n")
	r := mustBuild(t, dir, "out")
	assertRan(t, dir, "baz.out")
	if !strings.Contains(r.out, "; removed 1 stale output: bar.out\n") {
		t.Errorf("the summary does not say bar.out was removed:\n%s", r.out)
	}
	if existsIn(t, dir, "bar.out") {
		t.Error("bar.out, whose target left the graph, is still there")
	}
	if got := read(t, filepath.Join(dir, "baz.out")); got != "baz\n" {
		t.Errorf("baz.out = %q", got)
	}
	if got := read(t, filepath.Join(dir, "foo.out")); got != "foo\n" || !mtime(t, filepath.Join(dir, "foo.out")).Equal(fooTime) {
		t.Errorf("foo.out was touched: %q", got)
	}

	r = mustBuild(t, dir, "out")
	assertRan(t, dir)
	if strings.Contains(r.out, "stale") {
		t.Errorf("a further build speaks of stale outputs:\n%s", r.out)
	}

	// A build of a subset knows the whole graph: baz.out goes although
	// only foo.out is asked for, and so do several at once, counted.
	remove(t, dir, "baz.in")
	r = mustBuild(t, dir, "foo.out")
	assertRan(t, dir)
	if !strings.Contains(r.out, "; removed 1 stale output: baz.out\n") || existsIn(t, dir, "baz.out") {
		t.Errorf("a build of foo.out did not remove baz.out:\n%s", r.out)
	}
	for _, n := range []string{"a", "b", "c", "d"} {
		write(t, filepath.Join(dir, n+".in"), n+"\n")
	}
	mustBuild(t, dir, "out")
	assertRan(t, dir, "a.out", "b.out", "c.out", "d.out")
	remove(t, dir, "a.in", "b.in", "c.in", "d.in")
	r = mustBuild(t, dir, "foo.out")
	assertRan(t, dir)
	if !strings.Contains(r.out, "; removed 4 stale outputs: a.out, b.out, c.out and 1 more\n") {
		t.Errorf("the summary does not count the stale outputs:\n%s", r.out)
	}
	for _, n := range []string{"a", "b", "c", "d"} {
		if existsIn(t, dir, n+".out") {
			t.Errorf("%s.out is still there", n)
		}
	}
	mustBuild(t, dir, "out")
	assertRan(t, dir)
}

// twoTargets has gen (two outputs and a depfile) and copy.
const twoTargets = `
[targets.gen]
inputs  = ["src.txt"]
outputs = ["gen/a.txt", "gen/b.txt"]
depfile = "gen/gen.d"
cmd     = "echo gen >> ran.log && mkdir -p gen && cp src.txt gen/a.txt && cp src.txt gen/b.txt && echo 'gen/a.txt: src.txt' > gen/gen.d"

[targets.copy]
inputs  = ["src.txt"]
outputs = ["copy.txt"]
cmd     = "echo copy >> ran.log && cp src.txt copy.txt"
`

func TestStaleOutputsOfATargetDeletedFromTheBuildfile(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": twoTargets, "src.txt": "x\n"})
	mustBuild(t, dir, "gen", "copy")
	assertRan(t, dir, "gen", "copy")

	// Its outputs shrink: gen/b.txt goes, and gen runs again.
	shrunk := strings.Replace(twoTargets, `"gen/a.txt", "gen/b.txt"`, `"gen/a.txt"`, 1)
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(shrunk, " && cp src.txt gen/b.txt", "", 1))
	r := mustBuild(t, dir, "gen", "copy")
	assertRan(t, dir, "gen")
	if !strings.Contains(r.out, "removed 1 stale output: gen/b.txt\n") || existsIn(t, dir, "gen/b.txt") {
		t.Errorf("gen/b.txt, no longer declared, was not removed:\n%s", r.out)
	}
	if !existsIn(t, dir, "gen/a.txt") || !existsIn(t, dir, "gen/gen.d") {
		t.Error("an output still declared was removed")
	}

	// gen is deleted from the Buildfile: its output and depfile go,
	// though only copy is built; copy's stays.
	write(t, filepath.Join(dir, "Buildfile.toml"), twoTargets[strings.Index(twoTargets, "[targets.copy]"):])
	r = mustBuild(t, dir, "copy")
	assertRan(t, dir)
	if !strings.Contains(r.out, "removed 2 stale outputs: gen/a.txt, gen/gen.d\n") {
		t.Errorf("the summary does not name gen's files:\n%s", r.out)
	}
	if existsIn(t, dir, "gen/a.txt") || existsIn(t, dir, "gen/gen.d") {
		t.Error("the files of gen, deleted from the Buildfile, are still there")
	}
	if !existsIn(t, dir, "gen") || !existsIn(t, dir, "copy.txt") || !existsIn(t, dir, "src.txt") {
		t.Error("a folder, another target's output or a source was removed")
	}
	r = mustBuild(t, dir, "copy")
	assertRan(t, dir)
	if strings.Contains(r.out, "stale") {
		t.Errorf("the record of gen was not forgotten:\n%s", r.out)
	}
}

func TestStaleOutputNowASourceIsKept(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": `
[targets.gen]
outputs = ["data.txt", "tmp.txt"]
cmd     = "echo gen >> ran.log && echo generated > data.txt && echo tmp > tmp.txt"
`})
	mustBuild(t, dir, "gen")
	assertRan(t, dir, "gen")
	// data.txt is now a source, checked in, that another target reads.
	write(t, filepath.Join(dir, "Buildfile.toml"), `
[targets.use]
inputs  = ["data.txt"]
outputs = ["use.txt"]
cmd     = "echo use >> ran.log && cp data.txt use.txt"
`)
	r := mustBuild(t, dir, "use")
	assertRan(t, dir, "use")
	if got := read(t, filepath.Join(dir, "data.txt")); got != "generated\n" {
		t.Errorf("data.txt, an input now, = %q", got)
	}
	if !strings.Contains(r.out, "; removed 1 stale output: tmp.txt\n") || existsIn(t, dir, "tmp.txt") {
		t.Errorf("tmp.txt should be the one stale output removed:\n%s", r.out)
	}
	mustBuild(t, dir, "use")
	assertRan(t, dir)
	if !existsIn(t, dir, "data.txt") {
		t.Error("data.txt was removed by a later build")
	}
}

func TestStaleOutputThroughALinkOutOfTheProjectIsRefused(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "project")
	write(t, filepath.Join(dir, "Buildfile.toml"), `
[targets.gen]
outputs = ["out/x.txt", "y.txt"]
cmd     = "echo gen >> ran.log && mkdir -p out && echo x > out/x.txt && echo y > y.txt"

[targets.keep]
outputs = ["keep.txt"]
cmd     = "echo keep >> ran.log && echo k > keep.txt"
`)
	mustBuild(t, dir, "gen", "keep")
	assertRan(t, dir, "gen", "keep")
	// out/ becomes a link to a folder outside, holding a precious x.txt.
	elsewhere := filepath.Join(parent, "elsewhere")
	write(t, filepath.Join(elsewhere, "x.txt"), "precious\n")
	if err := os.RemoveAll(filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "Buildfile.toml"), `
[targets.keep]
outputs = ["keep.txt"]
cmd     = "echo keep >> ran.log && echo k > keep.txt"
`)
	r := mustBuild(t, dir, "keep")
	assertRan(t, dir)
	if !strings.Contains(r.out, "gobuildj: warning: stale outputs: removed nothing") ||
		!strings.Contains(r.out, "out/x.txt (recorded for gen): it resolves to "+filepath.Join(elsewhere, "x.txt")) {
		t.Errorf("the build does not say why it removed nothing:\n%s", r.out)
	}
	if got := read(t, filepath.Join(elsewhere, "x.txt")); got != "precious\n" {
		t.Errorf("the file outside = %q", got)
	}
	if !existsIn(t, dir, "y.txt") || strings.Contains(r.out, "removed 1 stale") {
		t.Errorf("a stale output was removed though another was refused:\n%s", r.out)
	}
	r = gobuildj(t, dir, "clean", "--stale")
	if r.code != 2 || !strings.Contains(r.out, "out/x.txt (recorded for gen)") {
		t.Errorf("clean --stale: exit %d, want 2:\n%s", r.code, r.out)
	}
	if got := read(t, filepath.Join(elsewhere, "x.txt")); got != "precious\n" {
		t.Errorf("the file outside = %q", got)
	}
}

func TestKeepStale(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": staleRule, "foo.in": "foo\n", "bar.in": "bar\n"})
	mustBuild(t, dir, "out")
	assertRan(t, dir, "foo.out", "bar.out")
	remove(t, dir, "bar.in")

	r := mustBuild(t, dir, "--keep-stale", "out")
	assertRan(t, dir)
	if !existsIn(t, dir, "bar.out") || strings.Contains(r.out, "stale") {
		t.Errorf("--keep-stale removed bar.out:\n%s", r.out)
	}
	write(t, filepath.Join(dir, "Buildfile.toml"), "remove_stale = false\n"+staleRule)
	r = mustBuild(t, dir, "out")
	assertRan(t, dir)
	if !existsIn(t, dir, "bar.out") || strings.Contains(r.out, "stale") {
		t.Errorf("remove_stale = false removed bar.out:\n%s", r.out)
	}
	// Kept, its record too: a build that removes stale outputs removes it.
	write(t, filepath.Join(dir, "Buildfile.toml"), "remove_stale = true\n"+staleRule)
	r = mustBuild(t, dir, "out")
	assertRan(t, dir)
	if existsIn(t, dir, "bar.out") || !strings.Contains(r.out, "removed 1 stale output: bar.out") {
		t.Errorf("bar.out was not removed at last:\n%s", r.out)
	}
}

func TestCleanStale(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": staleRule, "foo.in": "foo\n", "bar.in": "bar\n"})
	mustBuild(t, dir, "out")
	assertRan(t, dir, "foo.out", "bar.out")
	remove(t, dir, "bar.in")

	if r := gobuildj(t, dir, "clean", "--stale", "foo.out"); r.code != 2 {
		t.Errorf("clean --stale with a target: exit %d, want 2:\n%s", r.code, r.out)
	}
	r := gobuildj(t, dir, "clean", "--stale")
	if r.code != 0 || r.out != "removed bar.out\ngobuildj: removed 1 file(s) of 1 target(s)\n" {
		t.Errorf("clean --stale: exit %d:\n%s", r.code, r.out)
	}
	if existsIn(t, dir, "bar.out") || !existsIn(t, dir, "foo.out") {
		t.Error("clean --stale did not remove bar.out only")
	}
	// foo.out's record stays: nothing runs.
	r = mustBuild(t, dir, "out")
	assertRan(t, dir)
	if strings.Contains(r.out, "stale") {
		t.Errorf("a build after clean --stale:\n%s", r.out)
	}
}

func TestNothingStaleRemovedWhenTheBuildfileDoesNotLoad(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": staleRule, "foo.in": "foo\n", "bar.in": "bar\n"})
	mustBuild(t, dir, "out")
	assertRan(t, dir, "foo.out", "bar.out")
	remove(t, dir, "bar.in")
	write(t, filepath.Join(dir, "Buildfile.toml"), staleRule+"\n[targets.broken\n")
	if r := gobuildj(t, dir, "out"); r.code != 2 {
		t.Fatalf("a broken Buildfile: exit %d, want 2:\n%s", r.code, r.out)
	}
	assertRan(t, dir)
	if !existsIn(t, dir, "bar.out") || !existsIn(t, dir, "foo.out") {
		t.Error("outputs were removed although the Buildfile did not load")
	}
	write(t, filepath.Join(dir, "Buildfile.toml"), staleRule)
	r := mustBuild(t, dir, "out")
	assertRan(t, dir)
	if existsIn(t, dir, "bar.out") || !strings.Contains(r.out, "removed 1 stale output: bar.out") {
		t.Errorf("once the Buildfile loads, bar.out should go:\n%s", r.out)
	}
}

func TestWatchRemovesStaleOutputsWhenTheGraphChanges(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": "default = [\"out\"]\n" + staleRule,
		"foo.in": "foo\n", "bar.in": "bar\n", "baz.in": "baz\n"})
	mustBuild(t, dir)
	assertRan(t, dir, "foo.out", "bar.out", "baz.out")
	// The first build of a session removes what left the graph before it.
	remove(t, dir, "baz.in")
	w := startWatch(t, dir)
	assertRan(t, dir)
	if out := w.output(); !strings.Contains(out, "; removed 1 stale output: baz.out") || existsIn(t, dir, "baz.out") {
		t.Errorf("the first build of watch did not remove baz.out:\n%s", out)
	}
	// A deleted match: the Buildfile is read again, bar.out goes.
	remove(t, dir, "bar.in")
	lines := w.cycle("bar.in")
	assertRan(t, dir)
	if got := summaryOf(lines); !strings.HasSuffix(got, "; removed 1 stale output: bar.out") || existsIn(t, dir, "bar.out") {
		t.Errorf("after bar.in was deleted: %q", got)
	}
	// The removal itself starts no build, and an edit removes nothing.
	w.quiet(600 * time.Millisecond)
	write(t, filepath.Join(dir, "foo.in"), "foo2\n")
	lines = w.cycle("foo.in")
	assertRan(t, dir, "foo.out")
	if got := summaryOf(lines); strings.Contains(got, "stale") {
		t.Errorf("a build of an edit: %q", got)
	}
	if code := w.stop(); code != 130 && code != 0 {
		t.Errorf("watch exit code %d", code)
	}
}
