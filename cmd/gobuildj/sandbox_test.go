package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/sandbox"
)

// A sandboxed command may write only its outputs' folders: the tests'
// commands log their target's name to build/ran.log, which sandboxRan
// moves to where ranLog reads it.

func needSandbox(t *testing.T) {
	t.Helper()
	if abi := sandbox.ABI(); abi < sandbox.MinABI {
		t.Skipf("this kernel has no usable Landlock (ABI %d)", abi)
	}
}

func assertSandboxRan(t *testing.T, dir string, want ...string) {
	t.Helper()
	log := filepath.Join(dir, "build/ran.log")
	if err := os.Rename(log, filepath.Join(dir, "ran.log")); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	assertRan(t, dir, want...)
}

func TestSandboxDeniesAnUndeclaredRead(t *testing.T) {
	needSandbox(t)
	buildfile := `
[targets.app]
inputs  = ["a.txt"]
outputs = ["build/app.txt"]
cmd     = "echo app >> build/ran.log && cat a.txt secret.txt > build/app.txt"
sandbox = true
`
	dir := project(t, map[string]string{"Buildfile.toml": buildfile, "a.txt": "a\n", "secret.txt": "s\n"})
	r := gobuildj(t, dir)
	if r.code != 1 || !strings.Contains(r.out, "gobuildj: sandbox: denied read of secret.txt (not among the inputs of app,") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	// The failed command ran twice: again under the tracer, to name the
	// path.
	assertSandboxRan(t, dir, "app", "app")
	if _, err := os.Stat(filepath.Join(dir, "build/app.txt")); !os.IsNotExist(err) {
		t.Errorf("the failed target's output is left: %v", err)
	}

	// Declared, it is read; unsandboxed, the project builds the same.
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(buildfile, `["a.txt"]`, `["a.txt", "secret.txt"]`, 1))
	mustBuild(t, dir)
	assertSandboxRan(t, dir, "app")
	if got := read(t, filepath.Join(dir, "build/app.txt")); got != "a\ns\n" {
		t.Errorf("build/app.txt = %q", got)
	}
	mustBuild(t, dir)
	assertSandboxRan(t, dir)
}

func TestSandboxDeniesAWriteOutsideTheOutputs(t *testing.T) {
	needSandbox(t)
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[targets.app]
inputs  = ["a.txt"]
outputs = ["build/app.txt"]
cmd     = "echo app >> build/ran.log && cp a.txt build/app.txt && echo x > stray.txt"
`,
		"a.txt": "a\n",
	})
	// --sandbox sandboxes a target that does not ask.
	r := gobuildj(t, dir, "--sandbox")
	if r.code != 1 || !strings.Contains(r.out, "gobuildj: sandbox: denied write of stray.txt (not in the folder of an output of app)") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	assertSandboxRan(t, dir, "app", "app")
	if _, err := os.Stat(filepath.Join(dir, "stray.txt")); !os.IsNotExist(err) {
		t.Errorf("stray.txt was written: %v", err)
	}
	// The unsandboxed build writes it: the sandbox made the difference.
	mustBuild(t, dir)
	assertSandboxRan(t, dir, "app")
	if got := read(t, filepath.Join(dir, "stray.txt")); got != "x\n" {
		t.Errorf("stray.txt = %q", got)
	}
	r = gobuildj(t, dir, "--sandbox=loose")
	if r.code != 2 || !strings.Contains(r.out, "--sandbox=loose: expected --sandbox") {
		t.Fatalf("--sandbox=loose: exit code %d, output:\n%s", r.code, r.out)
	}
}

// sandboxedCProject is depfileProject logging into build/, with the
// headers declared or not.
func sandboxedCProject(declareHeaders bool) map[string]string {
	files := map[string]string{}
	for k, v := range depfileProject {
		files[k] = v
	}
	bf := strings.Replace(depfileProject["Buildfile.toml"], ">> ran.log", ">> build/ran.log", 1)
	if declareHeaders {
		bf = strings.Replace(bf, `inputs      = ["${match}"]`, `inputs      = ["${match}", "include/*.h"]`, 1)
		bf = strings.Replace(bf, "-c ${in}", "-c ${match}", 1)
	}
	files["Buildfile.toml"] = bf
	return files
}

func TestSandboxedCBuildPasses(t *testing.T) {
	needCC(t)
	needSandbox(t)
	all := []string{"build/main.o", "build/scale.o", "build/greet.o", "app"}

	// Headers declared: the first build passes sandboxed.
	dir := project(t, sandboxedCProject(true))
	mustBuild(t, dir, "--sandbox=strict", "-j4")
	assertSandboxRan(t, dir, all...)
	if got := runApp(t, dir); got != "hello 1.0 9" {
		t.Fatalf("app says %q", got)
	}
	mustBuild(t, dir, "--sandbox")
	assertSandboxRan(t, dir)

	// The same project unsandboxed builds the same objects.
	plain := project(t, sandboxedCProject(true))
	mustBuild(t, plain, "-j4")
	assertSandboxRan(t, plain, all...)
	for _, o := range []string{"build/main.o", "build/scale.o", "build/greet.o"} {
		if read(t, filepath.Join(dir, o)) != read(t, filepath.Join(plain, o)) {
			t.Errorf("%s differs sandboxed and not", o)
		}
	}

	// Headers only in depfiles: unknown to a first build, which the
	// sandbox fails on the first header it reads.
	dir = project(t, sandboxedCProject(false))
	r := gobuildj(t, dir, "--sandbox", "-k", "-j4")
	if r.code != 1 || !strings.Contains(r.out, "gobuildj: sandbox: denied read of include/factor.h (not among the inputs of build/scale.o,") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	ranLog(t, dir)
	os.Remove(filepath.Join(dir, "build/ran.log"))
	// Once the depfiles are recorded, sandboxed builds read what they name.
	mustBuild(t, dir, "-j4")
	assertSandboxRan(t, dir, all...)
	write(t, filepath.Join(dir, "include/factor.h"), "#define FACTOR 4\nint scale(int);\n")
	mustBuild(t, dir, "--sandbox", "-j4")
	assertSandboxRan(t, dir, "build/main.o", "build/scale.o", "app")
	if got := runApp(t, dir); got != "hello 1.0 16" {
		t.Fatalf("app says %q", got)
	}
	mustBuild(t, dir, "--sandbox")
	assertSandboxRan(t, dir)
}

func TestSandboxedFailureIsNotFlaky(t *testing.T) {
	needSandbox(t)
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[targets.app]
inputs  = ["a.txt"]
outputs = ["build/app.txt"]
cmd     = "echo app >> build/ran.log && cat a.txt secret.txt > build/app.txt"
`,
		"a.txt": "a\n", "secret.txt": "s\n",
	})
	mustBuild(t, dir)
	assertSandboxRan(t, dir, "app")
	// The sandbox, not the command, fails it: no flaky note either way.
	r := gobuildj(t, dir, "--sandbox", "-B")
	if r.code != 1 || strings.Contains(r.out, "flaky") || !strings.Contains(r.out, "denied read of secret.txt") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	assertSandboxRan(t, dir, "app", "app")
	r = mustBuild(t, dir)
	if strings.Contains(r.out, "flaky") {
		t.Errorf("the unsandboxed build after it says flaky:\n%s", r.out)
	}
	assertSandboxRan(t, dir, "app")
	mustBuild(t, dir)
	assertSandboxRan(t, dir)
}
