package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	dir := t.TempDir()
	r := mustBuild(t, dir, "--version")
	if !strings.HasPrefix(r.out, "gobuildj ") || !strings.Contains(r.out, runtime.Version()) || strings.Count(r.out, "\n") != 1 {
		t.Fatalf("--version printed %q", r.out)
	}
	if v := mustBuild(t, dir, "version"); v.out != r.out {
		t.Errorf("--version printed %q, version printed %q", r.out, v.out)
	}
	if h := mustBuild(t, dir, "--help"); !strings.Contains(h.out, "--version") {
		t.Errorf("--help does not name --version:\n%s", h.out)
	}
}

func TestQuerySeveralTargets(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
	r := mustBuild(t, dir, "query", "gen", "upper")
	assertRan(t, dir)
	parts := strings.Split(r.out, "\n\n")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "gen\n") || !strings.HasPrefix(parts[1], "upper\n") {
		t.Fatalf("query gen upper printed:\n%s", r.out)
	}
	for _, p := range parts {
		if !strings.Contains(p, "would run: yes (no previous run)") {
			t.Errorf("no verdict in:\n%s", p)
		}
	}
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	r = mustBuild(t, dir, "query", "gen", "build/upper.txt")
	if strings.Count(r.out, "would run: no (up to date)") != 2 {
		t.Errorf("after a build, query printed:\n%s", r.out)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

func TestCleanDeadIsCleanStale(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": staleRule, "foo.in": "foo\n", "bar.in": "bar\n"})
	mustBuild(t, dir, "out")
	assertRan(t, dir, "foo.out", "bar.out")
	remove(t, dir, "bar.in")

	if r := gobuildj(t, dir, "clean", "--dead", "foo.out"); r.code != 2 || !strings.Contains(r.out, "clean --dead takes no target") {
		t.Errorf("clean --dead with a target: exit %d, want 2:\n%s", r.code, r.out)
	}
	r := gobuildj(t, dir, "clean", "--dead")
	if r.code != 0 || r.out != "removed bar.out\ngobuildj: removed 1 file(s) of 1 target(s)\n" {
		t.Errorf("clean --dead: exit %d:\n%s", r.code, r.out)
	}
	if existsIn(t, dir, "bar.out") || !existsIn(t, dir, "foo.out") {
		t.Error("clean --dead did not remove bar.out only")
	}
	r = mustBuild(t, dir, "out")
	assertRan(t, dir)
	if strings.Contains(r.out, "stale") {
		t.Errorf("a build after clean --dead:\n%s", r.out)
	}
}

// toolsProject has a target whose depfile names a header, a dep that
// generates a file, a rule and a target in a sub-folder: what ninja's
// tools (inputs, commands, targets) list.
const toolsProject = `
default = ["all"]

[vars]
log = "echo ${target} >> ran.log"

[targets.all]
deps = ["app", "sub"]

[targets.gen]
inputs  = ["src.txt"]
outputs = ["gen.txt"]
cmd     = "${log}; cp src.txt gen.txt"

[targets.app]
description = "APP ${out}"
deps    = ["gen", "obj"]
inputs  = ["main.txt"]
outputs = ["app.txt"]
depfile = "app.d"
cmd     = ["${log}", "cat gen.txt main.txt hdr.txt > app.txt && echo 'app.txt: hdr.txt' > app.d"]

[rules.obj]
foreach = "*.c"
inputs  = ["${match}"]
outputs = ["${stem}.o"]
cmd     = "${log}; cp ${in} ${out}"

[targets.sub]
dir     = "sub dir"
outputs = ["sub dir/s.txt"]
cmd     = "echo sub >> ../ran.log; echo s > s.txt"
`

func toolsDir(t *testing.T) string {
	return project(t, map[string]string{"Buildfile.toml": toolsProject, "src.txt": "src\n", "main.txt": "main\n",
		"hdr.txt": "hdr\n", "a.c": "a\n", "b.c": "b\n", "sub dir/keep": ""})
}

func TestInputsAreTransitive(t *testing.T) {
	dir := toolsDir(t)
	r := mustBuild(t, dir, "inputs", "app")
	assertRan(t, dir)
	if want := "a.c\na.o\nb.c\nb.o\ngen.txt\nmain.txt\nsrc.txt\n"; r.out != want {
		t.Errorf("inputs app before a build:\n%s\nwant:\n%s", r.out, want)
	}
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "a.o", "b.o", "app", "sub")
	// Now app's depfile named hdr.txt.
	r = mustBuild(t, dir, "inputs", "app", "gen")
	if want := "a.c\na.o\nb.c\nb.o\nhdr.txt\nmain.txt\nsrc.txt\n"; r.out != want {
		t.Errorf("inputs app gen after a build:\n%s\nwant:\n%s", r.out, want)
	}
	if r := gobuildj(t, dir, "inputs"); r.code != 2 {
		t.Errorf("inputs with no target: exit %d, want 2:\n%s", r.code, r.out)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

func TestCommandsInBuildOrder(t *testing.T) {
	dir := toolsDir(t)
	r := mustBuild(t, dir, "commands", "app")
	assertRan(t, dir)
	lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
	want := []string{
		"echo gen >> ran.log; cp src.txt gen.txt",
		"echo a.o >> ran.log; cp a.c a.o",
		"echo b.o >> ran.log; cp b.c b.o",
		"echo app >> ran.log",
		"cat gen.txt main.txt hdr.txt > app.txt && echo 'app.txt: hdr.txt' > app.d",
	}
	if !slices.Equal(sorted(lines[:3]), sorted(want[:3])) || !slices.Equal(lines[3:], want[3:]) {
		t.Errorf("commands app:\n%s", r.out)
	}
	// With no target, the default ones; a target in a folder is run there.
	r = mustBuild(t, dir, "commands")
	if !strings.Contains(r.out, "\ncd 'sub dir' && echo sub >> ../ran.log; echo s > s.txt\n") {
		t.Errorf("commands:\n%s", r.out)
	}
	// Each line runs from the Buildfile's folder, as the build would.
	for _, line := range strings.Split(strings.TrimSuffix(r.out, "\n"), "\n") {
		cmd := exec.Command("sh", "-c", line)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
	}
	if got := read(t, filepath.Join(dir, "sub dir/s.txt")); got != "s\n" {
		t.Errorf("sub dir/s.txt = %q", got)
	}
	ranLog(t, dir)
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "a.o", "b.o", "app", "sub")
	mustBuild(t, dir)
	assertRan(t, dir)
}

func TestTargetsListsEveryTarget(t *testing.T) {
	dir := toolsDir(t)
	r := mustBuild(t, dir, "targets")
	assertRan(t, dir)
	if l := mustBuild(t, dir, "list", "--all"); r.out != l.out {
		t.Errorf("targets:\n%s\nlist --all:\n%s", r.out, l.out)
	}
	for _, want := range []string{"a.o", "b.o", "all  ", "app  APP app.txt", "obj  rule over *.c (2 targets)"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("targets does not list %q:\n%s", want, r.out)
		}
	}
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "a.o", "b.o", "app", "sub")
	mustBuild(t, dir)
	assertRan(t, dir)
}

func TestQuestion(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
	for _, flag := range []string{"-q", "--question"} {
		if r := gobuildj(t, dir, flag); r.code != 1 || r.out != "" {
			t.Errorf("%s before a build: exit %d, want 1, output %q", flag, r.code, r.out)
		}
	}
	assertRan(t, dir)
	if existsIn(t, dir, "build/gen.txt") {
		t.Error("-q wrote an output")
	}
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	if r := gobuildj(t, dir, "-q"); r.code != 0 || r.out != "" {
		t.Errorf("-q when up to date: exit %d, want 0, output %q", r.code, r.out)
	}
	write(t, filepath.Join(dir, "src.txt"), "changed\n")
	if r := gobuildj(t, dir, "-q", "gen"); r.code != 1 || r.out != "" {
		t.Errorf("-q gen after an edit: exit %d, want 1, output %q", r.code, r.out)
	}
	assertRan(t, dir)
	if r := gobuildj(t, dir, "-q", "nosuch"); r.code != 2 || !strings.Contains(r.out, "nosuch") {
		t.Errorf("-q of an unknown target: exit %d, want 2:\n%s", r.code, r.out)
	}
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	mustBuild(t, dir)
	assertRan(t, dir)
	if r := gobuildj(t, dir, "-q"); r.code != 0 {
		t.Errorf("-q after the build: exit %d, want 0", r.code)
	}
}

// overlapProject's three targets each hold lock.d for a while; one that
// finds it taken says so in overlap.log.
const overlapProject = `
[targets.all]
deps = ["a", "b", "c"]

[targets.a]
cmd = "echo ${target} >> ran.log; if mkdir lock.d 2>/dev/null; then sleep 0.3; rmdir lock.d; else echo ${target} >> overlap.log; sleep 0.3; fi"
[targets.b]
cmd = "echo ${target} >> ran.log; if mkdir lock.d 2>/dev/null; then sleep 0.3; rmdir lock.d; else echo ${target} >> overlap.log; sleep 0.3; fi"
[targets.c]
cmd = "echo ${target} >> ran.log; if mkdir lock.d 2>/dev/null; then sleep 0.3; rmdir lock.d; else echo ${target} >> overlap.log; sleep 0.3; fi"
`

func TestLoadAverageRunsOneAtATimeAboveIt(t *testing.T) {
	load, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		t.Skip("no /proc/loadavg")
	}
	if f, _, _ := strings.Cut(string(load), " "); f == "0.00" {
		t.Skip("a load average of 0: -l cannot be seen to hold back")
	}
	dir := project(t, map[string]string{"Buildfile.toml": overlapProject})
	// Far below the load: one command at a time, despite -j 3.
	mustBuild(t, dir, "-j", "3", "-l", "0.001", "all")
	assertRan(t, dir, "a", "b", "c")
	if existsIn(t, dir, "overlap.log") {
		t.Fatalf("commands ran at once under -l 0.001: %q", read(t, filepath.Join(dir, "overlap.log")))
	}
	mustBuild(t, dir, "-j", "3", "-l", "0.001", "all")
	assertRan(t, dir)
	// Far above it: no limit.
	mustBuild(t, dir, "-j", "3", "-l", "100000", "-B", "all")
	assertRan(t, dir, "a", "b", "c")
	if !existsIn(t, dir, "overlap.log") {
		t.Error("with -l far above the load, the commands did not run at once")
	}
	if r := gobuildj(t, dir, "-l", "-1"); r.code != 2 || !strings.Contains(r.out, "-l -1: expected a load average") {
		t.Errorf("-l -1: exit %d:\n%s", r.code, r.out)
	}
	mustBuild(t, dir, "-l", "0.001", "all")
	assertRan(t, dir)
}

// missingDepProject: bad's command reads gen.h, which gen writes, and its
// depfile says so, but bad does not depend on gen; good does, through mid.
const missingDepProject = `
[targets.all]
deps = ["gen", "good", "bad"]

[targets.gen]
outputs = ["gen.h"]
cmd     = "echo ${target} >> ran.log; echo '#define X 1' > gen.h"

[targets.mid]
deps    = ["gen"]
outputs = ["mid.txt"]
cmd     = "echo ${target} >> ran.log; echo mid > mid.txt"

[targets.good]
deps    = ["mid"]
outputs = ["good.o"]
depfile = "good.d"
cmd     = "echo ${target} >> ran.log; cat gen.h > good.o; echo 'good.o: gen.h' > good.d"

[targets.bad]
outputs = ["bad.o"]
depfile = "bad.d"
cmd     = "echo ${target} >> ran.log; cat gen.h > bad.o; echo 'bad.o: gen.h' > bad.d"
`

func TestMissingDeps(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": missingDepProject})
	if r := mustBuild(t, dir, "missingdeps"); r.out != "gobuildj: 0 missing dep(s) among the recorded depfile inputs of 0 target(s)\n" {
		t.Errorf("missingdeps before a build:\n%s", r.out)
	}
	mustBuild(t, dir, "gen")
	assertRan(t, dir, "gen")
	mustBuild(t, dir, "all")
	assertRan(t, dir, "mid", "good", "bad")
	r := gobuildj(t, dir, "missingdeps")
	want := "bad reads gen.h, an output of gen, but does not depend on gen\n" +
		"gobuildj: 1 missing dep(s) among the recorded depfile inputs of 2 target(s)\n"
	if r.code != 1 || r.out != want {
		t.Errorf("missingdeps: exit %d, want 1:\n%s\nwant:\n%s", r.code, r.out, want)
	}
	assertRan(t, dir)
	mustBuild(t, dir, "all")
	assertRan(t, dir)

	// With the dep declared, bad runs again (its deps changed) and
	// nothing is missing.
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(missingDepProject,
		"[targets.bad]\n", "[targets.bad]\ndeps    = [\"gen\"]\n", 1))
	mustBuild(t, dir, "all")
	assertRan(t, dir, "bad")
	if r := mustBuild(t, dir, "missingdeps"); !strings.HasPrefix(r.out, "gobuildj: 0 missing dep(s)") {
		t.Errorf("missingdeps once declared:\n%s", r.out)
	}
	mustBuild(t, dir, "all")
	assertRan(t, dir)
}

func TestTwoBuildfilesInOneFolderKeepTheirOwnState(t *testing.T) {
	a := "[targets.a]\ninputs = [\"src.txt\"]\noutputs = [\"a.txt\"]\ncmd = \"echo a >> ran.log; cp src.txt a.txt\"\n"
	b := "[targets.b]\ninputs = [\"src.txt\"]\noutputs = [\"b.txt\"]\ncmd = \"echo b >> ran.log; cp src.txt b.txt\"\n"
	dir := project(t, map[string]string{"A.toml": a, "B.toml": b, "Buildfile.toml": chain, "src.txt": "hello\n"})
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	mustBuild(t, dir, "-f", "A.toml", "a")
	assertRan(t, dir, "a")
	mustBuild(t, dir, "-f", "B.toml", "b")
	assertRan(t, dir, "b")
	// Alternating runs nothing: each Buildfile has its own records, and
	// neither takes the other's outputs for stale ones.
	for range 2 {
		mustBuild(t, dir, "-f", "A.toml", "a")
		assertRan(t, dir)
		mustBuild(t, dir, "-f", "B.toml", "b")
		assertRan(t, dir)
		mustBuild(t, dir)
		assertRan(t, dir)
	}
	for _, f := range []string{"a.txt", "b.txt", "build/upper.txt"} {
		if !existsIn(t, dir, f) {
			t.Errorf("%s was removed", f)
		}
	}
	// The default Buildfile's state keeps its names.
	for _, f := range []string{".gobuildj/state.log", ".gobuildj/@A.toml.state.log", ".gobuildj/@B.toml.state.log"} {
		if !existsIn(t, dir, f) {
			t.Errorf("no %s", f)
		}
	}
	// -q, query and clean read the Buildfile's own records.
	if r := gobuildj(t, dir, "-f", "A.toml", "-q", "a"); r.code != 0 {
		t.Errorf("-f A.toml -q: exit %d", r.code)
	}
	if r := mustBuild(t, dir, "-f", "B.toml", "query", "b"); !strings.Contains(r.out, "would run: no (up to date)") {
		t.Errorf("-f B.toml query b:\n%s", r.out)
	}
	mustBuild(t, dir, "-f", "A.toml", "clean")
	if existsIn(t, dir, "a.txt") || !existsIn(t, dir, "b.txt") || !existsIn(t, dir, "build/upper.txt") {
		t.Error("clean of A.toml did not remove a.txt only")
	}
	mustBuild(t, dir, "-f", "B.toml", "b")
	assertRan(t, dir)
	mustBuild(t, dir, "-f", "A.toml", "a")
	assertRan(t, dir, "a")
	mustBuild(t, dir, "-f", "A.toml", "a")
	assertRan(t, dir)
}
