package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/remote/remotetest"
	"github.com/gobuildj/gobuildj/why"
)

// tracedProject is depfileProject without depfiles: its compilations are
// traced instead (trace = true), and search first/ before include/ for
// their headers. first/ holds no header at first: a header created there
// hides the one of include/.
var tracedProject = map[string]string{
	"Buildfile.toml": `
default = ["app"]

[vars]
log = "echo ${target} >> ran.log"

[rules.obj]
foreach     = "src/*.c"
description = "CC ${out}"
inputs      = ["${match}"]
outputs     = ["build/${stem}.o"]
cmd         = "${log} && cc -Ifirst -Iinclude -c ${in} -o ${out}"
trace       = true

[targets.app]
description = "LINK ${out}"
deps    = ["obj"]
outputs = ["build/app"]
cmd     = "${log} && cc -o ${out} ${deps}"
`,
	"first/README":         "headers here come before those of include/\n",
	"include/factor.h":     "#define FACTOR 3\nint scale(int);\n",
	"include/greet.h":      "const char *greet(void);\n",
	"include/greet_impl.h": "#include \"version.h\"\n",
	"include/version.h":    "#define VERSION \"1.0\"\n",
	"src/main.c":           "#include <stdio.h>\n#include \"factor.h\"\n#include \"greet.h\"\nint main(void) { printf(\"%s %d\\n\", greet(), scale(FACTOR)); return 0; }\n",
	"src/scale.c":          "#include \"factor.h\"\nint scale(int x) { return x * FACTOR; }\n",
	"src/greet.c":          "#include \"greet.h\"\n#include \"greet_impl.h\"\nconst char *greet(void) { return \"hello \" VERSION; }\n",
}

// assertExplained fails unless the output of --explain has every line of
// want.
func assertExplained(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("--explain lacks %q:\n%s", w, out)
		}
	}
}

// A target without a depfile gets its headers from tracing: an edited
// header runs exactly its includers again, and so does a header created
// where the compiler looked first and found nothing.
func TestTracedHeadersRebuildExactlyTheirIncluders(t *testing.T) {
	needCC(t)
	dir := project(t, tracedProject)
	buildAndEditFactor(t, dir)

	// version.h is read by greet.c alone, through greet_impl.h.
	write(t, filepath.Join(dir, "include/version.h"), "#define VERSION \"2.0\"\n")
	settle()
	r := mustBuild(t, dir, "-j4", "--explain")
	assertRan(t, dir, "build/greet.o", "app")
	assertExplained(t, r.out, "build/greet.o: traced input include/version.h changed")
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)

	// A greet.h in first/ comes before include/greet.h, which main.c and
	// greet.c looked for there: both run again, and nothing else (their
	// objects come out the same: app is cut off).
	write(t, filepath.Join(dir, "first/greet.h"), "const char *greet(void); /* first */\n")
	settle()
	r = mustBuild(t, dir, "-j4", "--explain")
	assertRan(t, dir, "build/main.o", "build/greet.o")
	assertExplained(t, r.out,
		"build/main.o: traced probe first/greet.h now exists",
		"build/greet.o: traced probe first/greet.h now exists")
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)

	// include/greet.h is no longer read: editing it runs nothing.
	write(t, filepath.Join(dir, "include/greet.h"), "const char *greet(void); /* unread */\n")
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)
	if got := runApp(t, dir); got != "hello 2.0 16" {
		t.Fatalf("app says %q", got)
	}
}

// A shell command that reads files nobody declared (cat $(cat list)) runs
// again when one of them changes, and not when another file does.
func TestTracedShellReadsRerunOnChange(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[targets.all]
inputs  = ["list"]
outputs = ["all.txt"]
cmd     = "echo all >> ran.log && cat $(cat list) > all.txt"
trace   = true
`,
		"list":        "parts/a.txt parts/b.txt\n",
		"parts/a.txt": "a\n",
		"parts/b.txt": "b\n",
		"parts/c.txt": "c, unread\n",
	})
	mustBuild(t, dir)
	assertRan(t, dir, "all")
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)
	q := mustBuild(t, dir, "query", "all")
	if !strings.Contains(q.out, "inputs its last traced run read:\n    parts/a.txt\n    parts/b.txt\n") {
		t.Errorf("query all:\n%s", q.out)
	}
	if q := mustBuild(t, dir, "inputs", "all"); q.out != "list\nparts/a.txt\nparts/b.txt\n" {
		t.Errorf("inputs all: %q", q.out)
	}

	write(t, filepath.Join(dir, "parts/b.txt"), "b2\n")
	settle()
	r := mustBuild(t, dir, "--explain")
	assertRan(t, dir, "all")
	assertExplained(t, r.out, "all: traced input parts/b.txt changed")
	if b, err := os.ReadFile(filepath.Join(dir, "all.txt")); err != nil || string(b) != "a\nb2\n" {
		t.Fatalf("all.txt: %q, %v", b, err)
	}
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)

	write(t, filepath.Join(dir, "parts/c.txt"), "c2, still unread\n")
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)

	// The list names c.txt instead of b.txt: b.txt is no longer an input.
	write(t, filepath.Join(dir, "list"), "parts/a.txt parts/c.txt\n")
	settle()
	mustBuild(t, dir)
	assertRan(t, dir, "all")
	write(t, filepath.Join(dir, "parts/b.txt"), "b3\n")
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)
}

// TestWhyTracedInput: why names an input that the last traced run read,
// and a path it looked for in vain that now holds a file.
func TestWhyTracedInput(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `[targets.out]
outputs = ["out.txt"]
cmd = "cat a.txt > out.txt && cat b.txt >> out.txt 2>/dev/null; echo out >> ran.log"
trace = true
`,
		"a.txt": "a\n",
	})
	buildEnv(t, dir, nil, "out")
	settle()
	buildEnv(t, dir, nil)
	write(t, filepath.Join(dir, "a.txt"), "a2\n")
	e := whyOf(t, dir, nil, "out", "would run (traced input a.txt changed)", "a.txt: ", "(read by the last traced run)")
	change(t, e, why.TracedInput, "a.txt")
	settle()
	buildEnv(t, dir, nil, "out")
	settle()
	buildEnv(t, dir, nil)
	write(t, filepath.Join(dir, "b.txt"), "b\n")
	e = whyOf(t, dir, nil, "out", "would run (traced probe b.txt now exists)", "b.txt: now exists")
	change(t, e, why.TracedProbe, "b.txt")
	settle()
	buildEnv(t, dir, nil, "out")
	settle()
	buildEnv(t, dir, nil)
}

// TestWatchTracedInputs: watch mode runs a traced command again when a
// file it read undeclared changes, or a file appears where it looked.
func TestWatchTracedInputs(t *testing.T) {
	const bf = `
[targets.all]
inputs  = ["main.c"]
outputs = ["build/main.o"]
cmd     = "echo cc >> ran.log; cat main.c include/defs.h > ${out}; cat include/extra.h >> ${out} 2>/dev/null; true"
trace   = true
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "main.c": "int main;\n", "include/defs.h": "#define X 1\n"})
	w := startWatch(t, dir)
	assertRan(t, dir, "cc")
	write(t, filepath.Join(dir, "include/defs.h"), "#define X 2\n")
	w.cycle("include/defs.h")
	assertRan(t, dir, "cc")
	write(t, filepath.Join(dir, "include/extra.h"), "#define Y 1\n")
	w.cycle("include/extra.h")
	assertRan(t, dir, "cc")
	if got := read(t, filepath.Join(dir, "build/main.o")); got != "int main;\n#define X 2\n#define Y 1\n" {
		t.Errorf("build/main.o = %q", got)
	}
}

// TestTraceDepsFlag: --trace-deps traces every target, as trace = true
// does for one; why --trace-deps counts what it recorded.
func TestTraceDepsFlag(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `[targets.out]
outputs = ["out.txt"]
cmd = "cat conf.txt > out.txt; echo out >> ran.log"
`,
		"conf.txt": "1\n",
	})
	mustBuild(t, dir, "--trace-deps")
	assertRan(t, dir, "out")
	settle()
	mustBuild(t, dir, "--trace-deps")
	assertRan(t, dir)
	write(t, filepath.Join(dir, "conf.txt"), "2\n")
	settle()
	r := gobuildj(t, dir, "why", "--trace-deps", "out")
	if r.code != 0 || !strings.Contains(r.out, "would run (traced input conf.txt changed)") {
		t.Errorf("why --trace-deps: exit %d:\n%s", r.code, r.out)
	}
	r = mustBuild(t, dir, "--trace-deps", "--explain")
	assertRan(t, dir, "out")
	assertExplained(t, r.out, "out: traced input conf.txt changed")
	settle()
	mustBuild(t, dir, "--trace-deps")
	assertRan(t, dir)
}

// TestRemoteCacheTracedShared: a traced target is shared through a
// manifest of what its commands read, and a hit brings back what the next
// build keys it by: an edit of the file it read undeclared runs it again.
// One that reads a file outside the project runs unshared, saying why.
func TestRemoteCacheTracedShared(t *testing.T) {
	s := startFake(t, remotetest.Options{})
	outside := filepath.Join(t.TempDir(), "conf.txt")
	write(t, outside, "x\n")
	files := map[string]string{
		"a.txt": "a\n", "conf.txt": "c\n",
		"Buildfile.toml": fmt.Sprintf(`[remote]
salt = %q

[targets.out]
inputs = ["a.txt"]
outputs = ["out.txt"]
cmd = "echo out >> ran.log && cat a.txt conf.txt > out.txt"
trace = true

[targets.far]
outputs = ["far.txt"]
cmd = "echo far >> ran.log && cat %s > far.txt"
trace = true
`, randomSalt(t), outside),
	}
	a, b := project(t, files), project(t, files)
	settle()
	r := gobuildjClean(t, a, []string{"CI=true"}, "--remote-cache", s.Endpoint, "--explain")
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: far: not shared: its commands read "+outside+", outside the project (and not under /usr/)") ||
		strings.Contains(r.out, "out: not shared") || !strings.Contains(r.out, "1 not shared in") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	assertRan(t, a, "far", "out")
	r = gobuildjClean(t, b, nil, "--remote-cache", s.Endpoint)
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: 1 run, 1 cached") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	assertRan(t, b, "far")
	settle()
	r = gobuildjClean(t, b, nil, "--remote-cache", s.Endpoint)
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: 0 run, 2 up to date") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	write(t, filepath.Join(b, "conf.txt"), "c2\n")
	settle()
	r = gobuildjClean(t, b, nil, "--remote-cache", s.Endpoint, "--explain")
	if r.code != 0 || !strings.Contains(r.out, "out: traced input conf.txt changed") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	assertRan(t, b, "out")
}

// TestMissingDepsOfTracedReads: missingdeps finds a traced read of
// another target's output too, without a depfile.
func TestMissingDepsOfTracedReads(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": `
[targets.gen]
outputs = ["gen.h"]
cmd     = "echo ${target} >> ran.log; echo '#define X 1' > gen.h"

[targets.bad]
outputs = ["bad.o"]
cmd     = "echo ${target} >> ran.log; cat gen.h > bad.o"
trace   = true
`})
	mustBuild(t, dir, "gen")
	assertRan(t, dir, "gen")
	mustBuild(t, dir, "bad")
	assertRan(t, dir, "bad")
	r := gobuildj(t, dir, "missingdeps")
	if r.code != 1 || !strings.HasPrefix(r.out, "bad reads gen.h, an output of gen, but does not depend on gen\n") {
		t.Errorf("missingdeps: exit %d, want 1:\n%s", r.code, r.out)
	}
}

// TestRemoteExecTracedRunsHere: with remote execution, a traced target
// that misses runs here, traced (a run on the farm would come back without
// a trace), and is shared: another checkout gets it from the cache, and an
// edit of the file it read undeclared runs it here again, not on the farm.
func TestRemoteExecTracedRunsHere(t *testing.T) {
	s := startFake(t, remotetest.Options{Exec: true})
	files := map[string]string{
		"a.txt": "a\n", "conf.txt": "c\n",
		"Buildfile.toml": fmt.Sprintf(`[remote]
salt = %q

[targets.out]
inputs = ["a.txt"]
outputs = ["out.txt"]
cmd = "echo out >> ran.log && cat a.txt conf.txt > out.txt"
trace = true
`, randomSalt(t)),
	}
	a, b := project(t, files), project(t, files)
	settle()
	r := gobuildjClean(t, a, []string{"CI=true"}, "--remote-exec", s.Endpoint)
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: 1 run, 0 up to date") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	assertRan(t, a, "out")
	write(t, filepath.Join(a, "conf.txt"), "c2\n")
	settle()
	r = gobuildjClean(t, a, []string{"CI=true"}, "--remote-exec", s.Endpoint, "--explain")
	if r.code != 0 || !strings.Contains(r.out, "out: traced input conf.txt changed") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	assertRan(t, a, "out")
	if n := s.Executions.Load(); n != 0 {
		t.Fatalf("%d remote executions, want none", n)
	}
	write(t, filepath.Join(b, "conf.txt"), "c2\n")
	settle()
	r = gobuildjClean(t, b, nil, "--remote-exec", s.Endpoint)
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: 0 run, 1 cached") || read(t, filepath.Join(b, "out.txt")) != "a\nc2\n" {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	assertRan(t, b)
	settle()
	mustBuild(t, b)
	assertRan(t, b)
}

// buildAndEditFactor builds tracedProject in dir, then edits factor.h
// (read by main.c and scale.c only): exactly their objects and the link run
// again, each explained by the traced input, and a further build runs
// nothing.
func buildAndEditFactor(t *testing.T, dir string) {
	t.Helper()
	mustBuild(t, dir, "-j4")
	assertRan(t, dir, "build/main.o", "build/scale.o", "build/greet.o", "app")
	if got := runApp(t, dir); got != "hello 1.0 9" {
		t.Fatalf("app says %q", got)
	}
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)

	// factor.h is read by main.c and scale.c only.
	write(t, filepath.Join(dir, "include/factor.h"), "#define FACTOR 4\nint scale(int);\n")
	settle()
	r := mustBuild(t, dir, "-j4", "--explain")
	assertRan(t, dir, "build/main.o", "build/scale.o", "app")
	assertExplained(t, r.out,
		"build/main.o: traced input include/factor.h changed",
		"build/scale.o: traced input include/factor.h changed")
	if got := runApp(t, dir); got != "hello 1.0 16" {
		t.Fatalf("app says %q", got)
	}
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)
}
