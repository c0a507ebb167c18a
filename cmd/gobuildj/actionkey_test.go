package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/remote/remotetest"
)

// writeTool writes an executable shell script at path.
func writeTool(t *testing.T, path, body string) {
	t.Helper()
	write(t, path, "#!/bin/sh\n"+body+"\n")
	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

// withPath returns the environment entry PATH=dir:the test's PATH.
func withPath(dir string) string { return "PATH=" + dir + ":" + os.Getenv("PATH") }

// TestToolInActionKey: the compiler a command runs is part of its key by
// content: another `cc` first in PATH reruns the target, the same `cc` in
// another folder does not, and neither does a build that changes nothing;
// a declared tool counts the same way.
func TestToolInActionKey(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `default = ["obj", "wrapped"]

[targets.obj]
outputs = ["out.txt"]
cmd = "cc out.txt && echo obj >> ran.log"

[targets.wrapped]
outputs = ["wrapped.txt"]
tools = ["realcc"]
cmd = "echo wrapped > wrapped.txt && echo wrapped >> ran.log"
`,
	})
	one, two, same := filepath.Join(dir, "one"), filepath.Join(dir, "two"), filepath.Join(dir, "same")
	writeTool(t, filepath.Join(one, "cc"), `echo one > "$1"`)
	writeTool(t, filepath.Join(two, "cc"), `echo two > "$1"`)
	writeTool(t, filepath.Join(same, "cc"), `echo two > "$1"`)
	writeTool(t, filepath.Join(one, "realcc"), `echo real 1`)
	writeTool(t, filepath.Join(two, "realcc"), `echo real 2`)
	writeTool(t, filepath.Join(same, "realcc"), `echo real 2`)

	build := func(path string, args ...string) result {
		t.Helper()
		r := gobuildjEnv(t, dir, []string{withPath(path)}, args...)
		if r.code != 0 {
			t.Fatalf("exit code %d:\n%s", r.code, r.out)
		}
		return r
	}
	build(one)
	assertRan(t, dir, "obj", "wrapped")
	build(one)
	assertRan(t, dir)

	r := build(two, "--explain")
	assertRan(t, dir, "obj", "wrapped")
	if want := "tool " + filepath.Join(two, "cc") + " changed"; !strings.Contains(r.out, want) {
		t.Errorf("--explain does not say %q:\n%s", want, r.out)
	}
	if want := "tool " + filepath.Join(two, "realcc") + " changed"; !strings.Contains(r.out, want) {
		t.Errorf("--explain does not say %q:\n%s", want, r.out)
	}
	if got := read(t, filepath.Join(dir, "out.txt")); got != "two\n" {
		t.Errorf("out.txt = %q, want the second compiler's", got)
	}

	build(same) // the same content in another folder: the same tool
	assertRan(t, dir)

	writeTool(t, filepath.Join(same, "cc"), `echo three > "$1"`) // upgraded in place
	build(same)
	assertRan(t, dir, "obj")
}

// TestEnvInputs: a declared inherited variable reruns exactly the targets
// that declare it when its value changes, or when it is set or unset;
// an undeclared one reruns nothing.
func TestEnvInputs(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `default = ["a", "b", "c"]

[targets.a]
env_inputs = ["GBJ_TEST_CFLAGS"]
cmd = "echo a >> ran.log"

[targets.b]
env_inputs = ["GBJ_TEST_CFLAGS", "GBJ_TEST_CC"]
cmd = "echo b >> ran.log"

[targets.c]
cmd = "echo c >> ran.log"
`,
	})
	build := func(env ...string) result {
		t.Helper()
		r := gobuildjEnv(t, dir, env, "--explain")
		if r.code != 0 {
			t.Fatalf("exit code %d:\n%s", r.code, r.out)
		}
		return r
	}
	build("GBJ_TEST_CFLAGS=-O2")
	assertRan(t, dir, "a", "b", "c")
	build("GBJ_TEST_CFLAGS=-O2")
	assertRan(t, dir)
	build("GBJ_TEST_CFLAGS=-O2", "GBJ_TEST_UNDECLARED=1")
	assertRan(t, dir)

	r := build("GBJ_TEST_CFLAGS=-O3")
	assertRan(t, dir, "a", "b")
	if !strings.Contains(r.out, "env GBJ_TEST_CFLAGS changed") {
		t.Errorf("--explain does not name the variable:\n%s", r.out)
	}
	build("GBJ_TEST_CFLAGS=-O3", "GBJ_TEST_CC=clang")
	assertRan(t, dir, "b")
	build("GBJ_TEST_CFLAGS=", "GBJ_TEST_CC=clang") // empty is not -O3
	assertRan(t, dir, "a", "b")
	build("GBJ_TEST_CC=clang") // unset is not empty
	assertRan(t, dir, "a", "b")
	build("GBJ_TEST_CC=clang")
	assertRan(t, dir)
}

// TestEnvInBuildfile: ${env:NAME:-default} reads the environment into a
// command; a changed value reruns the command, and the graph snapshot is
// not used across the change.
func TestEnvInBuildfile(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `default = ["greet"]

[targets.greet]
outputs = ["out.txt"]
cmd = "echo ${env:GBJ_TEST_GREETING:-hello} > out.txt && echo greet >> ran.log"
`,
	})
	for _, step := range []struct {
		env  []string
		ran  bool
		want string
	}{
		{nil, true, "hello"},
		{nil, false, "hello"},
		{[]string{"GBJ_TEST_GREETING=bye"}, true, "bye"},
		{[]string{"GBJ_TEST_GREETING=bye"}, false, "bye"},
		{[]string{"GBJ_TEST_GREETING="}, true, "hello"}, // empty takes the default
		{nil, false, "hello"},
	} {
		r := gobuildjEnv(t, dir, step.env)
		if r.code != 0 {
			t.Fatalf("%v: exit code %d:\n%s", step.env, r.code, r.out)
		}
		if step.ran {
			assertRan(t, dir, "greet")
		} else {
			assertRan(t, dir)
		}
		if got := strings.TrimSpace(read(t, filepath.Join(dir, "out.txt"))); got != step.want {
			t.Errorf("%v: out.txt = %q, want %q", step.env, got, step.want)
		}
	}
}

// TestRemoteCacheMissesWithAnotherCompiler: a result in the remote cache
// is shared only with a checkout whose compiler has the same content (in
// whatever folder): another `cc` first in PATH misses and runs locally.
func TestRemoteCacheMissesWithAnotherCompiler(t *testing.T) {
	s := startFake(t, remotetest.Options{})
	tools := t.TempDir()
	writeTool(t, filepath.Join(tools, "a", "cc"), `echo one > "$1"`)
	writeTool(t, filepath.Join(tools, "b", "cc"), `echo two > "$1"`)
	writeTool(t, filepath.Join(tools, "c", "cc"), `echo one > "$1"`)
	buildfile := "default = [\"obj\"]\n[remote]\nsalt = \"" + randomSalt(t) + "\"\n\n" +
		"[targets.obj]\noutputs = [\"out.txt\"]\ncmd = \"cc out.txt\"\n"
	for _, step := range []struct {
		tools, want, summary string
	}{
		{"a", "one", "1 run, 0 up to date"},
		{"b", "two", "1 run, 0 up to date"},
		{"c", "one", "0 run, 1 cached"},
	} {
		dir := project(t, map[string]string{"Buildfile.toml": buildfile})
		r := gobuildjClean(t, dir, []string{"CI=true", "PATH=" + filepath.Join(tools, step.tools) + ":" + os.Getenv("PATH")},
			"--remote-cache", s.Endpoint)
		if r.code != 0 || !strings.Contains(r.out, step.summary) {
			t.Fatalf("with the cc of %s: exit %d, want %q:\n%s", step.tools, r.code, step.summary, r.out)
		}
		if got := strings.TrimSpace(read(t, filepath.Join(dir, "out.txt"))); got != step.want {
			t.Errorf("with the cc of %s: out.txt = %q, want %q", step.tools, got, step.want)
		}
	}
}
