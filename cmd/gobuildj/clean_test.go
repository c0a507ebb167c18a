package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cleanBuildfile = `
[targets.all]
deps = ["gen", "copy"]

[targets.gen]
inputs  = ["src.txt"]
outputs = ["build/gen.txt"]
depfile = "build/gen.d"
cmd     = "cp src.txt build/gen.txt; echo 'build/gen.txt: src.txt' > build/gen.d; echo stray > build/undeclared.txt"

[targets.copy]
outputs = ["out/copy.txt"]
cmd     = "echo copy > out/copy.txt"
`

// existing returns those of paths (relative to dir) that exist.
func existing(t *testing.T, dir string, paths ...string) []string {
	t.Helper()
	var found []string
	for _, p := range paths {
		if _, err := os.Lstat(filepath.Join(dir, p)); err == nil {
			found = append(found, p)
		}
	}
	return found
}

func TestCleanRemovesOnlyRecordedOutputs(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": cleanBuildfile, "src.txt": "x\n"})
	mustBuild(t, dir)
	r := mustBuild(t, dir, "clean", "gen")
	if got := existing(t, dir, "build/gen.txt", "build/gen.d", "out/copy.txt", "build/undeclared.txt", "src.txt"); strings.Join(got, " ") != "out/copy.txt build/undeclared.txt src.txt" {
		t.Errorf("after clean gen: %q\n%s", got, r.out)
	}
	if !strings.Contains(r.out, "removed build/gen.d\nremoved build/gen.txt\ngobuildj: removed 2 file(s) of 1 target(s)\n") {
		t.Errorf("clean gen said:\n%s", r.out)
	}
	r = mustBuild(t, dir, "--explain")
	if !strings.Contains(r.out, "gen: no previous run") || strings.Contains(r.out, "copy:") {
		t.Errorf("the build after clean:\n%s", r.out)
	}
	// With no target: every recorded output, also of a target that left
	// the Buildfile.
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(strings.Split(cleanBuildfile, "[targets.copy]")[0], `, "copy"`, "", 1))
	r = mustBuild(t, dir, "clean")
	if got := existing(t, dir, "build/gen.txt", "build/gen.d", "out/copy.txt", "build/undeclared.txt", "src.txt"); strings.Join(got, " ") != "build/undeclared.txt src.txt" {
		t.Errorf("after clean: %q\n%s", got, r.out)
	}
}

func TestCleanRefusesAnOutputOutsideTheFolder(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "project")
	write(t, filepath.Join(dir, "Buildfile.toml"), cleanBuildfile)
	write(t, filepath.Join(dir, "src.txt"), "x\n")
	write(t, filepath.Join(root, "x"), "precious\n")
	mustBuild(t, dir)
	// The Buildfile now lists ../x as an output: refused before anything.
	write(t, filepath.Join(dir, "Buildfile.toml"), cleanBuildfile+"\n[targets.bad]\noutputs = [\"../x\"]\ncmd = \"true\"\n")
	r := gobuildj(t, dir, "clean")
	if r.code != 2 || !strings.Contains(r.out, `outputs: "../x": outputs must stay inside the Buildfile's folder`) {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	if got := existing(t, dir, "build/gen.txt", "build/gen.d", "out/copy.txt"); len(got) != 3 {
		t.Errorf("clean deleted outputs: left %q", got)
	}
	if read(t, filepath.Join(root, "x")) != "precious\n" {
		t.Error("../x was touched")
	}
}

func TestCleanRefusesASymlinkLeavingTheTree(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "project")
	write(t, filepath.Join(dir, "Buildfile.toml"), cleanBuildfile)
	write(t, filepath.Join(dir, "src.txt"), "x\n")
	mustBuild(t, dir)
	// out/ becomes a link to a folder outside the project, which holds a
	// file of the recorded name.
	elsewhere := filepath.Join(root, "elsewhere")
	write(t, filepath.Join(elsewhere, "copy.txt"), "precious\n")
	if err := os.RemoveAll(filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	r := gobuildj(t, dir, "clean")
	if r.code != 2 || !strings.Contains(r.out, "out/copy.txt (recorded for copy): it resolves to "+filepath.Join(elsewhere, "copy.txt")+" through a symbolic link") {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	if got := existing(t, dir, "build/gen.txt", "build/gen.d"); len(got) != 2 {
		t.Errorf("clean deleted outputs although it refused: left %q", got)
	}
	if read(t, filepath.Join(elsewhere, "copy.txt")) != "precious\n" {
		t.Error("the file behind the link was touched")
	}
	// A link as the output itself, pointing outside, is refused too.
	if err := os.Remove(filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(elsewhere, "copy.txt"), filepath.Join(dir, "out/copy.txt")); err != nil {
		t.Fatal(err)
	}
	if r := gobuildj(t, dir, "clean", "copy"); r.code != 2 {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	if got := existing(t, dir, "out/copy.txt"); len(got) != 1 {
		t.Error("the link was removed")
	}
}
