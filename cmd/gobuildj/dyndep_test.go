package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dyndepExample is the example of dynamic deps: list is made from source,
// output is the files list names, concatenated, and list may name gen,
// which another target makes (wanted by nothing else).
const dyndepExample = `
[vars]
log = "echo ${target} >> ran.log"

[targets.list]
inputs  = ["source"]
outputs = ["list"]
cmd     = ["${log}", "cp source list"]

[targets.gen]
outputs = ["gen"]
cmd     = ["${log}", "echo generated > gen"]

[targets.output]
deps    = ["list"]
outputs = ["output"]
dyndep  = "list"
cmd     = ["${log}", "cat $(cat list) > output"]
`

func TestDyndepBuildsTheTargetsTheFileNames(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": dyndepExample, "plain": "plain\n", "source": "plain\ngen\n"})
	mustBuild(t, dir, "output")
	assertRan(t, dir, "list", "gen", "output")
	if got := read(t, filepath.Join(dir, "output")); got != "plain\ngenerated\n" {
		t.Fatalf("output = %q", got)
	}
	r := mustBuild(t, dir, "output")
	assertRan(t, dir)
	if !strings.Contains(r.out, "0 run, 3 up to date") {
		t.Errorf("no-op build:\n%s", r.out)
	}
	if q := mustBuild(t, dir, "query", "output"); !strings.Contains(q.out, "dyndep: list (the inputs and deps it names are known once the dep that writes it has run)") {
		t.Errorf("query output:\n%s", q.out)
	}

	// An input the file names is part of the target's key.
	write(t, filepath.Join(dir, "plain"), "edited\n")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "output")
	if got := read(t, filepath.Join(dir, "output")); got != "edited\ngenerated\n" {
		t.Fatalf("output = %q", got)
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir)

	// The list no longer names gen: gen is not wanted any more.
	write(t, filepath.Join(dir, "source"), "plain\n")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "list", "output")
	if got := read(t, filepath.Join(dir, "output")); got != "edited\n" {
		t.Fatalf("output = %q", got)
	}
	r = mustBuild(t, dir, "output")
	assertRan(t, dir)
	if !strings.Contains(r.out, "0 run, 2 up to date") {
		t.Errorf("no-op build:\n%s", r.out)
	}

	// A file the list names that does not exist and no target makes.
	write(t, filepath.Join(dir, "source"), "plain\nnowhere\n")
	r = gobuildj(t, dir, "output")
	assertRan(t, dir, "list")
	if r.code != 1 || !strings.Contains(r.out, "its dyndep file list names nowhere, which does not exist and no target produces") {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
}

// dynGraph is a project whose final target reads a list, made by a slow
// step, that names n generated files, each made by a target that depends
// on a target of its own: none of the 2n targets is wanted by the
// Buildfile. Beside them, independent work runs. sleep is the time each
// generator takes; marker marks their commands.
func dynGraph(t *testing.T, dir string, n int, sleep, marker string) {
	t.Helper()
	var bf strings.Builder
	fmt.Fprintf(&bf, "[vars]\nlog = \"echo ${target} >> ran.log\"\n")
	var names []string
	for i := 0; i < n; i++ {
		fmt.Fprintf(&bf, "[targets.pre%d]\noutputs = [\"gen/pre%d\"]\ncmd = [\"${log}\", \"mkdir -p gen\", \"echo pre%d > ${out}\"]\n", i, i, i)
		fmt.Fprintf(&bf, "[targets.gen%d]\ndeps = [\"pre%d\"]\noutputs = [\"gen/g%d\"]\ncmd = [\"${log}\", \": %s; sleep %s\", \"cat ${deps} > ${out}.tmp\", \"echo g%d >> ${out}.tmp\", \"mv ${out}.tmp ${out}\"]\n", i, i, i, marker, sleep, i)
		names = append(names, fmt.Sprintf("gen/g%d", i))
	}
	for i := 0; i < 3; i++ {
		fmt.Fprintf(&bf, "[targets.side%d]\noutputs = [\"side%d\"]\ncmd = [\"${log}\", \"sleep 0.05\", \"echo side%d > ${out}\"]\n", i, i, i)
	}
	bf.WriteString(`
[targets.list]
inputs  = ["names"]
outputs = ["list"]
cmd     = ["${log}", "sleep 0.1", "cp names list"]

[targets.final]
deps    = ["list", "side0", "side1", "side2"]
outputs = ["final"]
dyndep  = "list"
cmd     = ["${log}", "cat $(cat list) > final"]
`)
	write(t, filepath.Join(dir, "Buildfile.toml"), bf.String())
	write(t, filepath.Join(dir, "names"), strings.Join(names, "\n")+"\n")
}

// dynWant is what final holds when the list names gen0..gen(n-1).
func dynWant(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "pre%d\ng%d\n", i, i)
	}
	return b.String()
}

func TestDyndepGrowsThePlanUnderJ4(t *testing.T) {
	const n = 8
	dir := t.TempDir()
	dynGraph(t, dir, n, "0.05", "dyngrowmark")
	r := mustBuild(t, dir, "-j4", "final")
	want := []string{"list", "final", "side0", "side1", "side2"}
	for i := 0; i < n; i++ {
		want = append(want, fmt.Sprintf("pre%d", i), fmt.Sprintf("gen%d", i))
	}
	assertRan(t, dir, want...)
	if got := read(t, filepath.Join(dir, "final")); got != dynWant(n) {
		t.Fatalf("final = %q, want %q", got, dynWant(n))
	}
	if !strings.Contains(r.out, fmt.Sprintf("%d run, 0 up to date", 2*n+5)) {
		t.Errorf("summary:\n%s", r.out)
	}
	mustBuild(t, dir, "-j4", "final")
	assertRan(t, dir)

	// The list names fewer generated files: they are up to date, and
	// only list and final run.
	write(t, filepath.Join(dir, "names"), "gen/g1\ngen/g0\n")
	mustBuild(t, dir, "-j4", "final")
	assertRan(t, dir, "list", "final")
	if got := read(t, filepath.Join(dir, "final")); got != "pre1\ng1\npre0\ng0\n" {
		t.Fatalf("final = %q", got)
	}
	mustBuild(t, dir, "-j4", "final")
	assertRan(t, dir)
}

func TestDyndepCycleFailsNamingIt(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": strings.Replace(dyndepExample, "[targets.gen]\n", "[targets.gen]\ninputs = [\"output\"]\n", 1),
		"plain":          "plain\n", "source": "plain\ngen\n",
	})
	r := gobuildj(t, dir, "-j4", "output")
	assertRan(t, dir, "list")
	if r.code != 2 || !strings.Contains(r.out, "dependency cycle: its dyndep file list names gen, which depends on output: output -> gen -> output") {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	// Without the cycle, the build goes on from there.
	write(t, filepath.Join(dir, "source"), "plain\n")
	mustBuild(t, dir, "-j4", "output")
	assertRan(t, dir, "list", "output")
	mustBuild(t, dir, "-j4", "output")
	assertRan(t, dir)
}

func TestDyndepKillNineWhileTheNamedTargetsRun(t *testing.T) {
	const n = 6
	const marker = "dynkillmark"
	for _, delay := range []time.Duration{250 * time.Millisecond, 450 * time.Millisecond} {
		dir := t.TempDir()
		dynGraph(t, dir, n, "0.3", marker)
		cmd, _ := startBuild(t, dir, "-j4", "final")
		time.Sleep(delay) // list is done (0.1s); the generators run
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		deadline := time.Now().Add(10 * time.Second)
		for len(strayProcesses(marker)) > 0 || len(strayProcesses(binary+" -gobuildj.sched.worker")) > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("processes of the killed build left behind")
			}
			time.Sleep(10 * time.Millisecond)
		}
		ran := ranLog(t, dir)
		if !strings.Contains(strings.Join(ran, " "), "gen") {
			t.Fatalf("killed after %s, before the generators started: %v", delay, ran)
		}
		mustBuild(t, dir, "-j4", "final")
		ranLog(t, dir)
		if got := read(t, filepath.Join(dir, "final")); got != dynWant(n) {
			t.Fatalf("after the kill at %s: final = %q, want %q", delay, got, dynWant(n))
		}
		r := mustBuild(t, dir, "-j4", "final")
		assertRan(t, dir)
		if !strings.Contains(r.out, "gobuildj: 0 run") {
			t.Fatalf("the build after the build after a kill ran commands:\n%s", r.out)
		}
	}
}
