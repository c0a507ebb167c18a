package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCRLFBuildfile builds a Buildfile saved with CRLF line endings: its
// multi-line command must write out.txt, not "out.txt\r", and a second
// build runs nothing.
func TestCRLFBuildfile(t *testing.T) {
	bf := strings.Join([]string{
		`default = ["t"]`,
		`[targets.t]`,
		`outputs = ["out.txt"]`,
		`cmd = """`,
		`echo t >> ran.log`,
		`echo made > out.txt`,
		`"""`,
		``,
	}, "\r\n")
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	mustBuild(t, dir)
	assertRan(t, dir, "t")
	if _, err := os.Stat(filepath.Join(dir, "out.txt")); err != nil {
		t.Fatalf("out.txt: %v", err)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

// TestAbsoluteOutputInsideFolder builds a target whose output is written as
// an absolute path inside the Buildfile's folder: it is the relative path,
// so a dep may name it either way, and a second build runs nothing.
func TestAbsoluteOutputInsideFolder(t *testing.T) {
	dir := project(t, map[string]string{})
	write(t, filepath.Join(dir, "Buildfile.toml"), `
default = ["use"]

[targets.gen]
outputs = ["`+filepath.Join(dir, "build", "gen.txt")+`"]
cmd     = "echo gen >> ran.log; echo made > ${out}"

[targets.use]
deps    = ["build/gen.txt"]
outputs = ["build/use.txt"]
cmd     = "echo use >> ran.log; cat ${deps} > ${out}"
`)
	r := mustBuild(t, dir)
	assertRan(t, dir, "gen", "use")
	if strings.Contains(r.out, dir) {
		t.Errorf("the output names the absolute path:\n%s", r.out)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

// TestDidNotCreateMessage: commands that succeed without writing their
// outputs fail with the missing outputs named as the Buildfile declares
// them, as a list, followed by the commands; the next build runs the
// target again (it failed), and once the command is fixed, nothing more.
func TestDidNotCreateMessage(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": `
default = ["objs"]

[targets.objs]
outputs = ["build/x.o", "build/y.o", "build/z.o"]
cmd     = ["echo objs >> ran.log", "touch build/z.o"]
`})
	r := gobuildj(t, dir)
	assertRan(t, dir, "objs")
	want := "FAILED: objs (the commands succeeded but did not create build/x.o and build/y.o)\necho objs >> ran.log\ntouch build/z.o\n"
	if r.code != 1 || !strings.Contains(r.out, want) {
		t.Fatalf("exit code %d, output:\n%s\nwant it to hold:\n%s", r.code, r.out, want)
	}
	if strings.Contains(r.out, dir) || strings.Contains(r.out, "create [") {
		t.Errorf("the message names absolute paths or a Go slice:\n%s", r.out)
	}
	r = gobuildj(t, dir)
	assertRan(t, dir, "objs")
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1 again:\n%s", r.code, r.out)
	}
}

// TestArgumentListTooLong: a command longer than one execve argument may
// be fails with E2BIG named, with the command's size, and the command
// abridged rather than dumped whole.
func TestArgumentListTooLong(t *testing.T) {
	long := strings.Repeat("a", 200<<10)
	dir := project(t, map[string]string{"Buildfile.toml": `
default = ["big"]

[targets.big]
outputs = ["big.txt"]
cmd     = "echo ` + long + ` > big.txt"
`})
	r := gobuildj(t, dir)
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1:\n%.2000s", r.code, r.out)
	}
	for _, want := range []string{
		"FAILED: big (could not start the command: argument list too long (E2BIG): the command is 200 KiB, and the system takes at most 128 KiB in one argument",
		"more bytes)",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output does not hold %q:\n%.2000s", want, r.out)
		}
	}
	if strings.Contains(r.out, "exit code 127") || len(r.out) > 10<<10 {
		t.Errorf("output of %d bytes, want the cause and no dump of the command:\n%.2000s", len(r.out), r.out)
	}
	if _, err := os.Stat(filepath.Join(dir, "big.txt")); err == nil {
		t.Error("big.txt exists")
	}
}

// TestCommandLineMessages: a report in a missing folder and a number of
// jobs that is no number are refused (exit 2) with the flag as typed and
// what was expected, no temporary file name nor Go parser error, and
// nothing runs; the same build with good flags then runs once.
func TestCommandLineMessages(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": `
default = ["t"]

[targets.t]
outputs = ["t.txt"]
cmd     = "echo t >> ran.log; touch t.txt"
`})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--junit", "dir/x.xml"}, "gobuildj: error: --junit dir/x.xml: folder dir does not exist (expected an existing folder)\n"},
		{[]string{"-j", "abc"}, "gobuildj: error: -j abc: expected a number of jobs\n"},
		{[]string{"--kill-grace", "5"}, "gobuildj: error: --kill-grace 5: expected a duration such as \"90s\" or \"5m\"\n"},
	} {
		r := gobuildj(t, dir, c.args...)
		if r.code != 2 || r.out != c.want {
			t.Errorf("gobuildj %v: exit code %d, output:\n%s\nwant exit code 2 and:\n%s", c.args, r.code, r.out, c.want)
		}
		assertRan(t, dir)
	}
	mustBuild(t, dir, "-j", "2", "--junit", "x.xml")
	assertRan(t, dir, "t")
	mustBuild(t, dir)
	assertRan(t, dir)
}

// TestNoDefaultBuildsRoots: a Buildfile with targets but no default and no
// "all" builds the targets nothing depends on (and their deps), as ninja
// does, and says so first; a second build runs nothing.
func TestNoDefaultBuildsRoots(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": `
[targets.app]
deps    = ["lib"]
outputs = ["app"]
cmd     = "echo app >> ran.log; touch app"

[targets.lib]
outputs = ["lib"]
cmd     = "echo lib >> ran.log; touch lib"

[targets.docs]
outputs = ["docs"]
cmd     = "echo docs >> ran.log; touch docs"

[targets.check]
cmd     = "echo check >> ran.log"
`})
	r := mustBuild(t, dir)
	assertRan(t, dir, "app", "lib", "docs", "check")
	if want := "gobuildj: no default: building the 3 targets nothing depends on\n"; !strings.HasPrefix(r.out, want) {
		t.Errorf("output:\n%s\nwant it to begin with:\n%s", r.out, want)
	}
	r = mustBuild(t, dir, "lib")
	assertRan(t, dir)
	if strings.Contains(r.out, "no default") {
		t.Errorf("a build of a named target says there is no default:\n%s", r.out)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}
