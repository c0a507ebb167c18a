package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keepBuildfile is `output` made from `middle` and `extra`, `middle` made
// from `input`; middle carries the key under test (secondary = true or
// intermediate = true).
func keepBuildfile(key string) string {
	return `
[targets.middle]
inputs = ["input"]
outputs = ["middle"]
cmd = "echo middle >> ran.log && tr a-z A-Z < input > middle"
` + key + ` = true

[targets.output]
inputs = ["middle", "extra"]
outputs = ["output"]
cmd = "echo output >> ran.log && cat middle extra > output"
`
}

func keepProject(t *testing.T, key string) string {
	t.Helper()
	return project(t, map[string]string{"Buildfile.toml": keepBuildfile(key), "input": "abc\n", "extra": "x\n"})
}

func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Lstat(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return err == nil
}

func assertOutput(t *testing.T, dir, want string) {
	t.Helper()
	if got := read(t, filepath.Join(dir, "output")); got != want {
		t.Fatalf("output = %q, want %q", got, want)
	}
}

// Issue 16, case 3: a secondary target deleted by hand is not rebuilt
// while its input is unchanged; it is never deleted by gobuildj.
func TestSecondaryMissingIsNotRebuilt(t *testing.T) {
	dir := keepProject(t, "secondary")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "middle", "output")
	if !exists(t, filepath.Join(dir, "middle")) {
		t.Fatal("a secondary target's output was deleted")
	}
	if err := os.Remove(filepath.Join(dir, "middle")); err != nil {
		t.Fatal(err)
	}
	r := mustBuild(t, dir, "--explain", "output")
	assertRan(t, dir)
	if !strings.Contains(r.out, "middle: not rebuilt: output middle missing, but it is secondary = true") {
		t.Errorf("--explain does not say why middle was not rebuilt:\n%s", r.out)
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir)
	if exists(t, filepath.Join(dir, "middle")) {
		t.Fatal("middle came back without a build running it")
	}
	q := mustBuild(t, dir, "query", "middle")
	if !strings.Contains(q.out, "output middle missing, but it is secondary = true") {
		t.Errorf("query does not say why middle is not rebuilt:\n%s", q.out)
	}

	// An input change upstream runs the chain; middle stays.
	write(t, filepath.Join(dir, "input"), "def\n")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "middle", "output")
	assertOutput(t, dir, "DEF\nx\n")
	if !exists(t, filepath.Join(dir, "middle")) {
		t.Fatal("a secondary target's output was deleted")
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir)
}

// A target that must run because its own input changed gets its missing
// secondary dep rebuilt first, in the same build.
func TestSecondaryRebuiltForADependentThatRuns(t *testing.T) {
	dir := keepProject(t, "secondary")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "middle", "output")
	if err := os.Remove(filepath.Join(dir, "middle")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "extra"), "y\n")
	r := mustBuild(t, dir, "--explain", "output")
	assertRan(t, dir, "middle", "output")
	assertOutput(t, dir, "ABC\ny\n")
	if !strings.Contains(r.out, "middle: output middle missing, needed by output") {
		t.Errorf("--explain does not say why middle runs:\n%s", r.out)
	}
	if !exists(t, filepath.Join(dir, "middle")) {
		t.Fatal("a secondary target's output was deleted")
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir)
}

// Issue 16, case 4: an intermediate target's outputs are deleted once the
// targets that read them are built, and it is not rebuilt while its input
// is unchanged.
func TestIntermediateDeletedAfterUse(t *testing.T) {
	dir := keepProject(t, "intermediate")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "middle", "output")
	assertOutput(t, dir, "ABC\nx\n")
	if exists(t, filepath.Join(dir, "middle")) {
		t.Fatal("the intermediate output middle was not deleted after use")
	}
	r := mustBuild(t, dir, "--explain", "output")
	assertRan(t, dir)
	if !strings.Contains(r.out, "middle: not rebuilt: output middle missing, but it is intermediate = true") {
		t.Errorf("--explain does not say why middle was not rebuilt:\n%s", r.out)
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir)

	// An input change upstream runs the chain and deletes middle again.
	write(t, filepath.Join(dir, "input"), "def\n")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "middle", "output")
	assertOutput(t, dir, "DEF\nx\n")
	if exists(t, filepath.Join(dir, "middle")) {
		t.Fatal("the intermediate output middle was not deleted after its rebuild")
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir)
}

// A target that must run with its intermediate dep deleted gets it rebuilt
// first, in the same build, and deleted again after.
func TestIntermediateRebuiltForADependentThatRuns(t *testing.T) {
	dir := keepProject(t, "intermediate")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "middle", "output")
	write(t, filepath.Join(dir, "extra"), "y\n")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "middle", "output")
	assertOutput(t, dir, "ABC\ny\n")
	if exists(t, filepath.Join(dir, "middle")) {
		t.Fatal("the intermediate output middle was not deleted after its rebuild")
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir)
}

// A chain of two intermediate targets: both are rebuilt, in order, when
// the final target must run, and both are deleted after.
func TestIntermediateChain(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": `
[targets.one]
inputs = ["input"]
outputs = ["one"]
cmd = "echo one >> ran.log && tr a-z A-Z < input > one"
intermediate = true

[targets.two]
inputs = ["one"]
outputs = ["two"]
cmd = "echo two >> ran.log && rev < one > two"
intermediate = true

[targets.output]
inputs = ["two", "extra"]
outputs = ["output"]
cmd = "echo output >> ran.log && cat two extra > output"
`, "input": "abc\n", "extra": "x\n"})
	mustBuild(t, dir, "output")
	assertRan(t, dir, "one", "two", "output")
	assertOutput(t, dir, "CBA\nx\n")
	for _, f := range []string{"one", "two"} {
		if exists(t, filepath.Join(dir, f)) {
			t.Fatalf("the intermediate output %s was not deleted", f)
		}
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir)
	write(t, filepath.Join(dir, "extra"), "y\n")
	mustBuild(t, dir, "output")
	assertRan(t, dir, "one", "two", "output")
	assertOutput(t, dir, "CBA\ny\n")
	mustBuild(t, dir, "output")
	assertRan(t, dir)
}

// An intermediate target asked for by name is kept: it is what the build
// was for.
func TestIntermediateAskedForIsKept(t *testing.T) {
	dir := keepProject(t, "intermediate")
	mustBuild(t, dir, "middle")
	assertRan(t, dir, "middle")
	if !exists(t, filepath.Join(dir, "middle")) {
		t.Fatal("the intermediate target asked for was deleted")
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir, "output")
	if exists(t, filepath.Join(dir, "middle")) {
		t.Fatal("the intermediate output middle was not deleted after use")
	}
	mustBuild(t, dir, "output")
	assertRan(t, dir)
}
