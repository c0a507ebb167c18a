package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInKeepsWrittenOrder checks that ${in} lists the inputs in the order
// written (make's $^, ninja's $in), a glob's matches sorted in place and
// each path once, and that reordering the inputs reruns the target once.
func TestInKeepsWrittenOrder(t *testing.T) {
	buildfile := func(inputs string) string {
		return `
default = ["names", "concat"]

[targets.names]
inputs  = [` + inputs + `]
outputs = ["names.txt"]
cmd     = "echo ${target} >> ran.log; echo ${in} > ${out}"

[targets.concat]
inputs  = ["parts/head.txt", "parts/body-*.txt", "parts/tail.txt", "parts/head.txt"]
outputs = ["cat.txt"]
cmd     = "echo ${target} >> ran.log; cat ${in} > ${out}"
`
	}
	dir := project(t, map[string]string{
		"Buildfile.toml": buildfile(`"b.txt", "a.txt", "10.txt", "2.txt"`),
		"a.txt":          "", "b.txt": "", "10.txt": "", "2.txt": "",
		"parts/head.txt":      "head\n",
		"parts/body-2.txt":    "body 2\n",
		"parts/body-1.txt":    "body 1\n",
		"parts/tail.txt":      "tail\n",
		"parts/unrelated.txt": "not read\n",
	})
	mustBuild(t, dir)
	assertRan(t, dir, "names", "concat")
	if got, want := read(t, filepath.Join(dir, "names.txt")), "b.txt a.txt 10.txt 2.txt\n"; got != want {
		t.Errorf("names.txt = %q, want %q", got, want)
	}
	if got, want := read(t, filepath.Join(dir, "cat.txt")), "head\nbody 1\nbody 2\ntail\n"; got != want {
		t.Errorf("cat.txt = %q, want %q", got, want)
	}
	mustBuild(t, dir)
	assertRan(t, dir)

	// The same inputs in another order: the same key inputs, but another
	// command.
	write(t, filepath.Join(dir, "Buildfile.toml"), buildfile(`"2.txt", "10.txt", "a.txt", "b.txt", "2.txt"`))
	r := mustBuild(t, dir, "--explain")
	assertRan(t, dir, "names")
	if !strings.Contains(r.out, "names: command changed") {
		t.Errorf("--explain lacks %q:\n%s", "names: command changed", r.out)
	}
	if got, want := read(t, filepath.Join(dir, "names.txt")), "2.txt 10.txt a.txt b.txt\n"; got != want {
		t.Errorf("names.txt = %q, want %q", got, want)
	}
	mustBuild(t, dir)
	assertRan(t, dir)

	// A new match of the glob takes its sorted place among the others.
	write(t, filepath.Join(dir, "parts/body-0.txt"), "body 0\n")
	mustBuild(t, dir)
	assertRan(t, dir, "concat")
	if got, want := read(t, filepath.Join(dir, "cat.txt")), "head\nbody 0\nbody 1\nbody 2\ntail\n"; got != want {
		t.Errorf("cat.txt = %q, want %q", got, want)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

// linkProject links objects named in inputs with a static library named in
// deps: ${deps} must not repeat the objects that ${in} holds, or the link
// fails with "multiple definition".
var linkProject = map[string]string{
	"Buildfile.toml": `
default = ["app", "app2"]

[vars]
log = "echo ${target} >> ran.log"

[rules.obj]
foreach = "src/*.c"
inputs  = ["${match}"]
outputs = ["build/${stem}.o"]
cmd     = "${log} && cc -c ${in} -o ${out}"

[rules.libobj]
foreach = "lib/*.c"
inputs  = ["${match}"]
outputs = ["build/lib/${stem}.o"]
cmd     = "${log} && cc -c ${in} -o ${out}"

[targets.lib]
deps    = ["libobj"]
outputs = ["build/libtwice.a"]
cmd     = "${log} && rm -f ${out} && ar rcs ${out} ${deps}"

# The objects in inputs, the library rule in deps.
[targets.app]
inputs  = ["build/main.o", "build/greet.o"]
deps    = ["lib"]
outputs = ["build/app", "build/app.args"]
cmd     = "${log} && echo ${in} ${deps} > build/app.args && cc -o build/app ${in} ${deps}"

# One object in inputs, the object rule and the library in deps.
[targets.app2]
inputs  = ["build/main.o"]
deps    = ["obj", "lib"]
outputs = ["build/app2", "build/app2.args"]
cmd     = "${log} && echo ${in} ${deps} > build/app2.args && cc -o build/app2 ${in} ${deps}"
`,
	"src/main.c":  "#include <stdio.h>\nconst char *greet(void);\nint twice(int);\nint main(void) { printf(\"%s %d\\n\", greet(), twice(21)); return 0; }\n",
	"src/greet.c": "const char *greet(void) { return \"hello\"; }\n",
	"lib/twice.c": "int twice(int x) { return 2 * x; }\n",
}

func TestLinkWithObjectsInInputsAndLibraryInDeps(t *testing.T) {
	needCC(t)
	dir := project(t, linkProject)
	mustBuild(t, dir, "-j4")
	assertRan(t, dir, "build/main.o", "build/greet.o", "build/lib/twice.o", "lib", "app", "app2")
	for name, want := range map[string]string{
		"build/app.args":  "build/main.o build/greet.o build/libtwice.a\n",
		"build/app2.args": "build/main.o build/greet.o build/libtwice.a\n",
	} {
		if got := read(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	for _, app := range []string{"build/app", "build/app2"} {
		out, err := exec.Command(filepath.Join(dir, app)).CombinedOutput()
		if err != nil || string(out) != "hello 42\n" {
			t.Errorf("%s: %v, says %q, want %q", app, err, out, "hello 42\n")
		}
	}
	mustBuild(t, dir)
	assertRan(t, dir)

	write(t, filepath.Join(dir, "lib/twice.c"), "int twice(int x) { return x + x + 1; }\n")
	mustBuild(t, dir, "-j4")
	assertRan(t, dir, "build/lib/twice.o", "lib", "app", "app2")
	if out, err := exec.Command(filepath.Join(dir, "build/app")).CombinedOutput(); err != nil || string(out) != "hello 43\n" {
		t.Errorf("build/app: %v, says %q, want %q", err, out, "hello 43\n")
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}
