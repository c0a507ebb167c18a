package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gitAttrProject is git's attr.o case: one rule compiles src/*.c, and
// src/attr.c alone gets an extra -D flag (make: attr.o: EXTRA_CPPFLAGS =
// -DETC_GITATTRIBUTES=...). Each compile logs its target and its command.
var gitAttrProject = map[string]string{
	"Buildfile.toml": `
[vars]
cc = "cc"

[rules.obj]
foreach = "src/*.c"
inputs  = ["${match}"]
outputs = ["build/${stem}.o"]
vars    = { EXTRA = "" }
cmd     = "echo ${target} >> ran.log && echo ${target} ${EXTRA} >> cmds.log && ${cc} ${EXTRA} -c ${in} -o ${out}"

[rules.obj.override."src/attr.c"]
vars = { EXTRA = "-DETC_GITATTRIBUTES='\"/etc/gitattributes\"'" }

[targets.app]
deps    = ["obj"]
outputs = ["build/app"]
cmd     = "echo ${target} >> ran.log && ${cc} -o ${out} ${deps}"
`,
	"src/attr.c": "#ifndef ETC_GITATTRIBUTES\n#error ETC_GITATTRIBUTES is not defined\n#endif\nconst char *attr(void) { return ETC_GITATTRIBUTES; }\n",
	"src/main.c": "#include <stdio.h>\n#ifdef ETC_GITATTRIBUTES\n#error main.c got attr.c's flag\n#endif\nconst char *attr(void);\nint main(void) { puts(attr()); return 0; }\n",
	"src/util.c": "#ifdef ETC_GITATTRIBUTES\n#error util.c got attr.c's flag\n#endif\nint util(void) { return 1; }\n",
}

func TestRuleOverrideAddsFlagsToOneFile(t *testing.T) {
	needCC(t)
	dir := project(t, gitAttrProject)
	mustBuild(t, dir, "-j4", "app")
	assertRan(t, dir, "build/attr.o", "build/main.o", "build/util.o", "app")
	if got := runApp(t, dir); got != "/etc/gitattributes" {
		t.Fatalf("app says %q", got)
	}
	cmds := read(t, filepath.Join(dir, "cmds.log"))
	for _, line := range strings.Split(strings.TrimSpace(cmds), "\n") {
		if strings.HasPrefix(line, "build/attr.o ") != strings.Contains(line, "-DETC_GITATTRIBUTES") {
			t.Errorf("the flag reached the wrong commands:\n%s", cmds)
		}
	}
	mustBuild(t, dir, "app")
	assertRan(t, dir)

	// Changing the override reruns that file's compile only (and the link
	// only if the object changed).
	bf := filepath.Join(dir, "Buildfile.toml")
	write(t, bf, strings.Replace(read(t, bf), `/etc/gitattributes`, `/usr/etc/gitattributes`, 1))
	mustBuild(t, dir, "-j4", "app")
	assertRan(t, dir, "build/attr.o", "app")
	if got := runApp(t, dir); got != "/usr/etc/gitattributes" {
		t.Fatalf("app says %q", got)
	}
	mustBuild(t, dir, "app")
	assertRan(t, dir)
}

func TestRuleVarsAppendLikeMakes(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[vars]
CFLAGS = "-O2"

[rules.obj]
foreach = "src/{internal,string,stdio}/*.c"
outputs = ["obj/${stem}.o"]
vars    = { CFLAGS = "${CFLAGS} -std=c99" }
cmd     = "echo ${target} >> ran.log && echo ${CFLAGS} > ${out}"

[rules.obj.override."src/{internal,string}/*.c"]
vars = { CFLAGS = "${CFLAGS} -O3" }

[rules.obj.override."src/string/memcpy.c"]
vars = { CFLAGS = "${CFLAGS} -fno-builtin" }
`,
		"src/internal/syscall.c": "", "src/string/memcpy.c": "", "src/string/strlen.c": "", "src/stdio/printf.c": "",
	})
	mustBuild(t, dir, "obj")
	assertRan(t, dir, "obj/internal/syscall.o", "obj/string/memcpy.o", "obj/string/strlen.o", "obj/stdio/printf.o")
	for file, want := range map[string]string{
		"obj/internal/syscall.o": "-O2 -std=c99 -O3",
		"obj/string/memcpy.o":    "-O2 -std=c99 -O3 -fno-builtin",
		"obj/string/strlen.o":    "-O2 -std=c99 -O3",
		"obj/stdio/printf.o":     "-O2 -std=c99",
	} {
		if got := strings.TrimSpace(read(t, filepath.Join(dir, file))); got != want {
			t.Errorf("%s: flags %q, want %q", file, got, want)
		}
	}
	mustBuild(t, dir, "obj")
	assertRan(t, dir)
}

// musl's layout: src/*/*.c are generic, src/*/ARCH/*.s replace the generic
// file of the same name for that architecture, which a command prints.
var muslArchProject = map[string]string{
	"Buildfile.toml": `
[vars]
ARCH = { cmd = "cat arch.txt" }

[rules.obj]
foreach = "src/*/*.c"
prefer  = ["src/*/${ARCH}/*.s"]
inputs  = ["${match}"]
outputs = ["obj/${stem}.o"]
cmd     = "echo ${target} >> ran.log && cat ${in} > ${out}"
`,
	"arch.txt":                   "x86_64\n",
	"src/string/memcpy.c":        "generic memcpy\n",
	"src/string/strlen.c":        "generic strlen\n",
	"src/string/x86_64/memcpy.s": "x86_64 memcpy\n",
	"src/string/i386/memcpy.s":   "i386 memcpy\n",
	"src/string/i386/strlen.s":   "i386 strlen\n",
	"src/math/x86_64/fabs.s":     "x86_64 fabs\n",
	"src/math/sin.c":             "generic sin\n",
}

func TestPreferReplacesGenericSources(t *testing.T) {
	dir := project(t, muslArchProject)
	mustBuild(t, dir, "obj")
	assertRan(t, dir, "obj/string/x86_64/memcpy.o", "obj/string/strlen.o", "obj/math/sin.o", "obj/math/x86_64/fabs.o")
	if _, err := os.Stat(filepath.Join(dir, "obj/string/memcpy.o")); err == nil {
		t.Error("the generic memcpy was built for x86_64")
	}
	mustBuild(t, dir, "obj")
	assertRan(t, dir)

	// Another architecture: what the command prints changes the graph.
	write(t, filepath.Join(dir, "arch.txt"), "i386\n")
	mustBuild(t, dir, "obj")
	assertRan(t, dir, "obj/string/i386/memcpy.o", "obj/string/i386/strlen.o")
	r := mustBuild(t, dir, "list", "--all")
	for _, want := range []string{"obj/string/i386/memcpy.o", "obj/string/i386/strlen.o", "obj/math/sin.o"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("list lacks %s:\n%s", want, r.out)
		}
	}
	for _, gone := range []string{"obj/string/strlen.o", "x86_64"} {
		if strings.Contains(r.out, gone) {
			t.Errorf("list still has %s:\n%s", gone, r.out)
		}
	}
	mustBuild(t, dir, "obj")
	assertRan(t, dir)
}

func TestCommandVarsAreRunAtEachLoad(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[vars]
VERSION = { cmd = "cat version.txt; echo >> loads.log" }

[targets.stamp]
outputs = ["stamp.txt"]
cmd     = "echo ${target} >> ran.log && echo ${VERSION} > ${out}"
`,
		"version.txt": "1.0\n\n",
	})
	mustBuild(t, dir, "stamp")
	assertRan(t, dir, "stamp")
	if got := read(t, filepath.Join(dir, "stamp.txt")); got != "1.0\n" {
		t.Fatalf("stamp.txt is %q", got)
	}
	mustBuild(t, dir, "stamp")
	assertRan(t, dir)
	// version.txt is no input of stamp: the command's output changes the
	// graph, whose snapshot is not used again.
	write(t, filepath.Join(dir, "version.txt"), "1.1\n")
	mustBuild(t, dir, "stamp")
	assertRan(t, dir, "stamp")
	if got := read(t, filepath.Join(dir, "stamp.txt")); got != "1.1\n" {
		t.Fatalf("stamp.txt is %q", got)
	}
	mustBuild(t, dir, "stamp")
	assertRan(t, dir)
	// The command ran once per load: the snapshot's check reuses its run.
	if n := strings.Count(read(t, filepath.Join(dir, "loads.log")), "\n"); n != 4 {
		t.Errorf("the command ran %d times in 4 loads", n)
	}
}

func TestFailingCommandVarIsABuildfileError(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[vars]
ARCH = { cmd = "echo no compiler here >&2; exit 3" }

[targets.a]
cmd = "echo ${target} >> ran.log"
`,
	})
	r := gobuildj(t, dir, "a")
	want := `Buildfile.toml:3:8: vars.ARCH: command "echo no compiler here >&2; exit 3" failed with exit status 3: no compiler here (expected a command that succeeds: its output is the value)`
	if r.code != 2 || !strings.Contains(r.out, want) {
		t.Fatalf("exit %d, output:\n%s\nwant exit 2 and %s", r.code, r.out, want)
	}
	assertRan(t, dir)
}
