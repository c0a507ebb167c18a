package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// depfileProject is a small C program built by one rule with depfiles: each
// compilation and the link append their target's name to ran.log.
// factor.h is read by main.c and scale.c, and through it by none else;
// greet.h by main.c and greet.c; version.h by greet.c only, through
// greet_impl.h (a header included by a header).
var depfileProject = map[string]string{
	"Buildfile.toml": `
default = ["app"]

[vars]
cc  = "cc"
log = "echo ${target} >> ran.log"

[rules.obj]
foreach     = "src/*.c"
description = "CC ${out}"
inputs      = ["${match}"]
outputs     = ["build/${stem}.o"]
depfile     = "build/${stem}.d"
cmd         = "${log} && ${cc} -Iinclude -MMD -MP -MF build/${stem}.d -c ${in} -o ${out}"

[targets.app]
description = "LINK ${out}"
deps    = ["obj"]
outputs = ["build/app"]
cmd     = "${log} && ${cc} -o ${out} ${deps}"
`,
	"include/factor.h":     "#define FACTOR 3\nint scale(int);\n",
	"include/greet.h":      "const char *greet(void);\n",
	"include/greet_impl.h": "#include \"version.h\"\n",
	"include/version.h":    "#define VERSION \"1.0\"\n",
	"src/main.c":           "#include <stdio.h>\n#include \"factor.h\"\n#include \"greet.h\"\nint main(void) { printf(\"%s %d\\n\", greet(), scale(FACTOR)); return 0; }\n",
	"src/scale.c":          "#include \"factor.h\"\nint scale(int x) { return x * FACTOR; }\n",
	"src/greet.c":          "#include \"greet.h\"\n#include \"greet_impl.h\"\nconst char *greet(void) { return \"hello \" VERSION; }\n",
}

func needCC(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler (cc)")
	}
}

func runApp(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(dir, "build/app")).CombinedOutput()
	if err != nil {
		t.Fatalf("build/app: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestHeaderEditRebuildsExactlyItsReaders(t *testing.T) {
	needCC(t)
	dir := project(t, depfileProject)
	mustBuild(t, dir, "-j4")
	assertRan(t, dir, "build/main.o", "build/scale.o", "build/greet.o", "app")
	if got := runApp(t, dir); got != "hello 1.0 9" {
		t.Fatalf("app says %q", got)
	}
	mustBuild(t, dir)
	assertRan(t, dir)

	// factor.h is named by the depfiles of main.o and scale.o only.
	write(t, filepath.Join(dir, "include/factor.h"), "#define FACTOR 4\nint scale(int);\n")
	r := mustBuild(t, dir, "-j4", "--explain")
	assertRan(t, dir, "build/main.o", "build/scale.o", "app")
	for _, want := range []string{
		"build/main.o: input include/factor.h changed",
		"build/scale.o: input include/factor.h changed",
		"app: dep build/main.o rebuilt with new outputs",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("--explain lacks %q:\n%s", want, r.out)
		}
	}
	if got := runApp(t, dir); got != "hello 1.0 16" {
		t.Fatalf("app says %q", got)
	}

	// A header read through another header: only greet.c reads it.
	write(t, filepath.Join(dir, "include/version.h"), "#define VERSION \"2.0\"\n")
	mustBuild(t, dir, "-j4")
	assertRan(t, dir, "build/greet.o", "app")
	if got := runApp(t, dir); got != "hello 2.0 16" {
		t.Fatalf("app says %q", got)
	}

	// A comment changes no object: the link is skipped (early cutoff).
	write(t, filepath.Join(dir, "include/greet.h"), "/* greetings */\nconst char *greet(void);\n")
	mustBuild(t, dir, "-j4")
	assertRan(t, dir, "build/main.o", "build/greet.o")

	// Deleting a header that greet.c no longer includes is fine; the
	// compilation reruns because its input list changed.
	write(t, filepath.Join(dir, "src/greet.c"), "#include \"greet.h\"\nconst char *greet(void) { return \"hi\"; }\n")
	mustBuild(t, dir, "-j4")
	assertRan(t, dir, "build/greet.o", "app")
	if err := os.Remove(filepath.Join(dir, "include/greet_impl.h")); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, dir, "-j4")
	assertRan(t, dir)
}

func TestAddingASourceBuildsItsObjectAndTheLink(t *testing.T) {
	needCC(t)
	dir := project(t, depfileProject)
	mustBuild(t, dir, "-j4")
	ranLog(t, dir)
	write(t, filepath.Join(dir, "src/extra.c"), "#include \"factor.h\"\nint extra(void) { return FACTOR; }\n")
	r := mustBuild(t, dir, "-j4", "--explain")
	assertRan(t, dir, "build/extra.o", "app")
	if !strings.Contains(r.out, "app: dep output build/extra.o added") {
		t.Errorf("--explain:\n%s", r.out)
	}
	if _, err := os.Stat(filepath.Join(dir, "build/extra.o")); err != nil {
		t.Fatal(err)
	}
	// Removing it again relinks without it.
	if err := os.Remove(filepath.Join(dir, "src/extra.c")); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, dir, "-j4")
	assertRan(t, dir, "app")
}

func TestMissingDepfileFailsTheTarget(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": `
[targets.gen]
outputs = ["gen.txt"]
depfile = "gen.d"
cmd     = "echo x > gen.txt"
`})
	r := gobuildj(t, dir, "gen")
	if r.code != 1 || !strings.Contains(r.out, "FAILED: gen (the command succeeded but did not write its depfile gen.d)") {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	if _, err := os.Stat(filepath.Join(dir, "gen.txt")); !os.IsNotExist(err) {
		t.Errorf("the output of the failed target is left (%v)", err)
	}
	// A stale depfile from an earlier run does not count.
	write(t, filepath.Join(dir, "gen.d"), "gen.txt: Buildfile.toml\n")
	if r := gobuildj(t, dir, "gen"); r.code != 1 {
		t.Fatalf("with a stale depfile: exit %d:\n%s", r.code, r.out)
	}
}

func TestBadDepfileFailsTheTarget(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": `
[targets.gen]
outputs = ["gen.txt"]
depfile = "gen.d"
cmd     = "echo x > gen.txt; printf 'a b c\n' > gen.d"
`})
	r := gobuildj(t, dir, "gen")
	if r.code != 1 || !strings.Contains(r.out, `FAILED: gen (depfile gen.d: line 1: "a b c" and no ':' (expected "targets: inputs"))`) {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
}

// TestDepfilePathsRelativeToTheCommand: paths in a depfile are relative to
// the command's folder (dir), not the Buildfile's.
func TestDepfilePathsRelativeToTheCommand(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[targets.gen]
dir     = "sub"
outputs = ["out/gen.txt"]
depfile = "out/gen.d"
cmd     = "echo ${target} >> ../ran.log; cat data.txt > ../out/gen.txt; echo '../out/gen.txt: data.txt' > ../out/gen.d"
`,
		"sub/data.txt": "one\n",
	})
	mustBuild(t, dir, "gen")
	assertRan(t, dir, "gen")
	mustBuild(t, dir, "gen")
	assertRan(t, dir)
	write(t, filepath.Join(dir, "sub/data.txt"), "two\n")
	r := mustBuild(t, dir, "--explain", "gen")
	assertRan(t, dir, "gen")
	if !strings.Contains(r.out, "gen: input sub/data.txt changed") {
		t.Errorf("--explain:\n%s", r.out)
	}
}
