package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// [defaults] sandbox = true sandboxes every target that does not say
// otherwise: one that reads an undeclared file fails with its path, one
// with sandbox = false reads what it likes.
func TestDefaultsSandboxEveryTarget(t *testing.T) {
	needSandbox(t)
	buildfile := `
[defaults]
sandbox = true

[targets.app]
inputs  = ["a.txt"]
outputs = ["build/app.txt"]
cmd     = "echo app >> build/ran.log && cat a.txt secret.txt > build/app.txt"

[targets.free]
inputs  = ["a.txt"]
outputs = ["build/free.txt"]
cmd     = "echo free >> build/ran.log && cat a.txt secret.txt > build/free.txt"
sandbox = false
`
	dir := project(t, map[string]string{"Buildfile.toml": buildfile, "a.txt": "a\n", "secret.txt": "s\n"})
	r := gobuildj(t, dir, "-k")
	if r.code != 1 || !strings.Contains(r.out, "gobuildj: sandbox: denied read of secret.txt (not among the inputs of app,") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	// app ran twice (again under the tracer, to name the path); free,
	// exempt, once.
	assertSandboxRan(t, dir, "app", "app", "free")
	if got := read(t, filepath.Join(dir, "build/free.txt")); got != "a\ns\n" {
		t.Errorf("build/free.txt = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "build/app.txt")); !os.IsNotExist(err) {
		t.Errorf("the failed target's output is left: %v", err)
	}
	settle()

	// Declared, secret.txt is read; free is up to date.
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(buildfile, `inputs  = ["a.txt"]`, `inputs  = ["a.txt", "secret.txt"]`, 1))
	settle()
	mustBuild(t, dir)
	assertSandboxRan(t, dir, "app")
	if got := read(t, filepath.Join(dir, "build/app.txt")); got != "a\ns\n" {
		t.Errorf("build/app.txt = %q", got)
	}
	settle()
	mustBuild(t, dir)
	assertSandboxRan(t, dir)
}

// [defaults] trace = true gives every target without a depfile its
// headers: an edited header runs exactly its includers again.
func TestDefaultsTraceEveryTarget(t *testing.T) {
	needCC(t)
	files := make(map[string]string, len(tracedProject))
	for k, v := range tracedProject {
		files[k] = v
	}
	bf := files["Buildfile.toml"]
	if !strings.Contains(bf, "trace       = true\n") {
		t.Fatal("tracedProject's Buildfile changed: this test removes its trace = true")
	}
	files["Buildfile.toml"] = strings.Replace(bf, "trace       = true\n", "", 1) + "\n[defaults]\ntrace = true\n"
	dir := project(t, files)
	buildAndEditFactor(t, dir)
}

// [defaults] timeout kills a command that outlives it; a target's own
// timeout overrides it.
func TestDefaultsTimeout(t *testing.T) {
	buildfile := `
[defaults]
timeout = "1s"

[targets.slow]
outputs = ["slow.txt"]
cmd     = "echo slow >> ran.log; sleep 419.19; echo done > slow.txt"

[targets.patient]
outputs = ["patient.txt"]
cmd     = "echo patient >> ran.log; sleep 1.5; echo done > patient.txt"
timeout = "60s"
`
	dir := project(t, map[string]string{"Buildfile.toml": buildfile})
	r := gobuildj(t, dir, "-k", "-j2")
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "FAILED: slow (timed out after 1s") {
		t.Errorf("failure should say slow timed out after the default timeout:\n%s", r.out)
	}
	if strings.Contains(r.out, "FAILED: patient") {
		t.Errorf("patient has a timeout of its own:\n%s", r.out)
	}
	assertRan(t, dir, "slow", "patient")
	assertNoStrays(t, "sleep 419.19")
	if got := read(t, filepath.Join(dir, "patient.txt")); got != "done\n" {
		t.Errorf("patient.txt = %q", got)
	}
	settle()

	// Quick enough now, slow builds; patient is up to date.
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(buildfile, "sleep 419.19", "sleep 0.1", 1))
	settle()
	mustBuild(t, dir)
	assertRan(t, dir, "slow")
	settle()
	mustBuild(t, dir)
	assertRan(t, dir)
}
