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

}

// A target with a depfile has no recorded inputs before its first run: in
// the sandbox, that run may read the project, and later runs what its last
// depfile named.
func TestSandboxedFirstBuildOfDepfiles(t *testing.T) {
	needCC(t)
	needSandbox(t)
	all := []string{"build/main.o", "build/scale.o", "build/greet.o", "app"}
	files := sandboxedCProject(false)
	files["include/secret.h"] = "#define SECRET 2\n" // in the project, included by nothing yet
	dir := project(t, files)
	mustBuild(t, dir, "--sandbox=strict", "-j4")
	assertSandboxRan(t, dir, all...)
	if got := runApp(t, dir); got != "hello 1.0 9" {
		t.Fatalf("app says %q", got)
	}
	mustBuild(t, dir, "--sandbox")
	assertSandboxRan(t, dir)

	// Once the depfiles are recorded, sandboxed builds read what they name.
	write(t, filepath.Join(dir, "include/factor.h"), "#define FACTOR 4\nint scale(int);\n")
	mustBuild(t, dir, "--sandbox", "-j4")
	assertSandboxRan(t, dir, "build/main.o", "build/scale.o", "app")
	if got := runApp(t, dir); got != "hello 1.0 16" {
		t.Fatalf("app says %q", got)
	}

	// And nothing else: a header its last depfile did not name is denied.
	write(t, filepath.Join(dir, "src/scale.c"), "#include \"factor.h\"\n#include \"secret.h\"\nint scale(int x) { return x * FACTOR * SECRET; }\n")
	r := gobuildj(t, dir, "--sandbox", "-j4")
	if r.code != 1 || !strings.Contains(r.out, "gobuildj: sandbox: denied read of include/secret.h (not among the inputs of build/scale.o,") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	assertSandboxRan(t, dir, "build/scale.o", "build/scale.o")
	mustBuild(t, dir, "-j4")
	assertSandboxRan(t, dir, "build/scale.o", "app")
	if got := runApp(t, dir); got != "hello 1.0 32" {
		t.Fatalf("app says %q", got)
	}
	mustBuild(t, dir, "--sandbox")
	assertSandboxRan(t, dir)
}

// The first run of a target that learns its inputs (a depfile, or trace =
// true) may read the project but not write it, and its later runs read
// only what it recorded.
func TestSandboxedFirstRunReadsTheProjectOnly(t *testing.T) {
	needSandbox(t)
	buildfile := `
[targets.dep]
inputs  = ["a.txt"]
outputs = ["build/dep.txt"]
depfile = "build/dep.d"
cmd     = "echo dep >> build/ran.log && cat a.txt extra.txt > build/dep.txt && echo 'build/dep.txt: a.txt' > build/dep.d"
sandbox = true

[targets.traced]
inputs  = ["a.txt"]
outputs = ["build/traced.txt"]
cmd     = "echo traced >> build/ran.log && cat a.txt extra.txt > build/traced.txt"
trace   = true
sandbox = true
`
	dir := project(t, map[string]string{"Buildfile.toml": buildfile, "a.txt": "a\n", "extra.txt": "e\n", "other.txt": "o\n"})
	mustBuild(t, dir, "dep", "traced")
	assertSandboxRan(t, dir, "dep", "traced")
	mustBuild(t, dir, "dep", "traced")
	assertSandboxRan(t, dir)

	// The depfile did not name extra.txt: the next run may not read it.
	// The trace did see it read: it is an input now.
	write(t, filepath.Join(dir, "a.txt"), "a2\n")
	r := gobuildj(t, dir, "-k", "dep", "traced")
	if r.code != 1 || !strings.Contains(r.out, "gobuildj: sandbox: denied read of extra.txt (not among the inputs of dep,") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	assertSandboxRan(t, dir, "dep", "dep", "traced")
	if got := read(t, filepath.Join(dir, "build/traced.txt")); got != "a2\ne\n" {
		t.Errorf("build/traced.txt = %q", got)
	}
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(buildfile, "cat a.txt extra.txt > build/traced.txt", "cat a.txt extra.txt other.txt > build/traced.txt", 1))
	r = gobuildj(t, dir, "traced")
	if r.code != 1 || !strings.Contains(r.out, "gobuildj: sandbox: denied read of other.txt (not among the inputs of traced,") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	assertSandboxRan(t, dir, "traced")

	// A first run writes only its outputs' folders.
	dir = project(t, map[string]string{"a.txt": "a\n", "extra.txt": "e\n", "Buildfile.toml": strings.Replace(buildfile, "> build/dep.d", "> build/dep.d && echo x > stray.txt", 1)})
	r = gobuildj(t, dir, "dep")
	if r.code != 1 || !strings.Contains(r.out, "gobuildj: sandbox: denied write of stray.txt (not in the folder of an output of dep)") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	assertSandboxRan(t, dir, "dep", "dep")
	if _, err := os.Stat(filepath.Join(dir, "stray.txt")); !os.IsNotExist(err) {
		t.Errorf("stray.txt was written: %v", err)
	}
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

// A sandboxed command may list the project's folders (go vet ./...,
// find), though not read what it finds undeclared, and may use the
// toolchains' content-keyed caches (Go's build cache, ccache): examples/go
// builds sandboxed.
func TestSandboxListsTheProjectAndUsesToolCaches(t *testing.T) {
	needSandbox(t)
	cacheHome := t.TempDir()
	// A cache folder that exists (one its tool made before) is granted.
	if err := os.Mkdir(filepath.Join(cacheHome, "ccache"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[targets.app]
inputs  = ["src/*.txt"]
outputs = ["build/app.txt"]
cmd     = "echo app >> build/ran.log && ls src > build/app.txt && echo entry > $XDG_CACHE_HOME/ccache/x"
sandbox = true
`,
		"src/a.txt": "a\n",
		"src/b.txt": "b\n",
	})
	env := []string{"XDG_CACHE_HOME=" + cacheHome}
	r := gobuildjEnv(t, dir, env)
	if r.code != 0 {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	assertSandboxRan(t, dir, "app")
	if got := read(t, filepath.Join(dir, "build/app.txt")); got != "a.txt\nb.txt\n" {
		t.Errorf("build/app.txt = %q", got)
	}
	if got := read(t, filepath.Join(cacheHome, "ccache/x")); got != "entry\n" {
		t.Errorf("the cache entry = %q", got)
	}
	settle()
	if r := gobuildjEnv(t, dir, env); r.code != 0 {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
	assertSandboxRan(t, dir)

	// Listed, not read: reading what it lists undeclared still fails.
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(read(t, filepath.Join(dir, "Buildfile.toml")), `inputs  = ["src/*.txt"]`, `inputs  = ["src/a.txt"]`, 1))
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(read(t, filepath.Join(dir, "Buildfile.toml")), "ls src > build/app.txt", "cat src/*.txt > build/app.txt", 1))
	settle()
	r = gobuildjEnv(t, dir, env)
	if r.code != 1 || !strings.Contains(r.out, "gobuildj: sandbox: denied read of src/b.txt") {
		t.Fatalf("exit code %d, output:\n%s", r.code, r.out)
	}
}
