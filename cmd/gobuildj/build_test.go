package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chain is a three-step project: gen strips comments from src.txt, upper
// upper-cases gen's output, and all is an alias. Every command appends its
// target's name to ran.log.
const chain = `
default = ["all"]

[vars]
log = "echo ${target} >> ran.log"

[targets.all]
deps = ["upper"]

[targets.gen]
description = "GEN ${out}"
inputs  = ["src.txt"]
outputs = ["build/gen.txt"]
cmd     = ["${log}", "grep -v '^#' ${in} > ${out}"]

[targets.upper]
deps    = ["gen"]
outputs = ["build/upper.txt"]
cmd     = "${log}; tr a-z A-Z < ${deps} > ${out}"
`

func TestSecondBuildRunsNothing(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
	r := mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	if got := read(t, filepath.Join(dir, "build/upper.txt")); got != "HELLO\n" {
		t.Fatalf("build/upper.txt = %q", got)
	}
	if !strings.Contains(r.out, "[1/2] GEN build/gen.txt") || !strings.Contains(r.out, "[2/2] upper") {
		t.Errorf("status lines missing:\n%s", r.out)
	}
	if !strings.Contains(r.out, "2 run, 0 up to date, 0 failed") {
		t.Errorf("summary missing:\n%s", r.out)
	}
	r = mustBuild(t, dir)
	assertRan(t, dir)
	if !strings.Contains(r.out, "0 run, 2 up to date, 0 failed") {
		t.Errorf("no-op summary:\n%s", r.out)
	}
}

func TestTouchWithoutChangeRunsNothing(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
	mustBuild(t, dir)
	ranLog(t, dir)
	later := time.Now().Add(time.Minute)
	for _, f := range []string{"src.txt", "build/gen.txt", "build/upper.txt"} {
		if err := os.Chtimes(filepath.Join(dir, f), later, later); err != nil {
			t.Fatal(err)
		}
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

func TestEditRunsTargetAndDependents(t *testing.T) {
	const bf = chain + `
[targets.other]
inputs  = ["other.txt"]
outputs = ["build/other.txt"]
cmd     = "${log}; cp ${in} ${out}"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "src.txt": "hello\n", "other.txt": "x\n"})
	mustBuild(t, dir, "all", "other")
	assertRan(t, dir, "gen", "upper", "other")
	write(t, filepath.Join(dir, "src.txt"), "hello world\n")
	r := mustBuild(t, dir, "--explain", "all", "other")
	assertRan(t, dir, "gen", "upper")
	for _, want := range []string{"gen: input src.txt changed", "upper: dep gen rebuilt with new outputs"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("--explain should say %q:\n%s", want, r.out)
		}
	}
	if got := read(t, filepath.Join(dir, "build/upper.txt")); got != "HELLO WORLD\n" {
		t.Fatalf("build/upper.txt = %q", got)
	}
}

func TestEarlyCutoff(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "# a comment\nhello\n"})
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	write(t, filepath.Join(dir, "src.txt"), "# another comment\nhello\n")
	r := mustBuild(t, dir, "--explain")
	assertRan(t, dir, "gen")
	if !strings.Contains(r.out, "gen: input src.txt changed") {
		t.Errorf("--explain did not name the input:\n%s", r.out)
	}
	if !strings.Contains(r.out, "1 run, 1 up to date") {
		t.Errorf("summary after cutoff:\n%s", r.out)
	}
}

func TestChangesThatRerun(t *testing.T) {
	const base = `
[targets.all]
inputs  = ["src/*.txt"]
outputs = ["out.txt"]
env     = { GREETING = "hi" }
cmd     = "echo ${target} >> ran.log; cat ${in} > ${out}; echo $$GREETING >> ${out}"
`
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		reason string
	}{
		{"command changed", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(base, "cat ${in}", "cat  ${in}", 1))
		}, "command changed"},
		{"env changed", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(base, `"hi"`, `"hello"`, 1))
		}, "command changed"},
		{"output deleted", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "out.txt"))
		}, "output out.txt missing"},
		{"output edited", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "out.txt"), "tampered\n")
		}, "output out.txt modified"},
		{"file added to glob", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "src/b.txt"), "b\n")
		}, "input src/b.txt added"},
		{"file removed from glob", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "src/a.txt"))
		}, "input src/a.txt removed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := project(t, map[string]string{"Buildfile.toml": base, "src/a.txt": "a\n", "src/z.txt": "z\n"})
			mustBuild(t, dir)
			assertRan(t, dir, "all")
			tc.change(t, dir)
			r := mustBuild(t, dir, "--explain")
			assertRan(t, dir, "all")
			if !strings.Contains(r.out, "all: "+tc.reason) {
				t.Errorf("--explain: want %q in:\n%s", tc.reason, r.out)
			}
			mustBuild(t, dir)
			assertRan(t, dir)
		})
	}
}

func TestFailedCommandRunsAgain(t *testing.T) {
	const bf = `
[targets.all]
inputs  = ["in.txt"]
outputs = ["out.txt"]
cmd     = "echo ${target} >> ran.log; cp ${in} ${out}; grep -q ok ${in}"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "in.txt": "bad\n"})
	r := gobuildj(t, dir)
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "FAILED: all") || !strings.Contains(r.out, "grep -q ok in.txt") {
		t.Errorf("FAILED block missing:\n%s", r.out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.txt")); !os.IsNotExist(err) {
		t.Errorf("the output of a failed command was kept: %v", err)
	}
	assertRan(t, dir, "all")
	r = gobuildj(t, dir)
	if r.code != 1 {
		t.Fatalf("second build: exit code %d, want 1:\n%s", r.code, r.out)
	}
	assertRan(t, dir, "all")
	write(t, filepath.Join(dir, "in.txt"), "ok\n")
	mustBuild(t, dir)
	assertRan(t, dir, "all")
	mustBuild(t, dir)
	assertRan(t, dir)
}

func TestFailureStopsNewWork(t *testing.T) {
	// fail finishes first; slow is already running and finishes; after
	// must not start without -k, and does with it; dependent never runs.
	const bf = `
[targets.fail]
cmd = "echo ${target} >> ran.log; exit 3"
[targets.slow]
cmd = "sleep 1; echo ${target} >> ran.log"
[targets.after]
deps = ["slow"]
cmd = "echo ${target} >> ran.log"
[targets.dependent]
deps = ["fail"]
cmd = "echo ${target} >> ran.log"
[targets.all]
deps = ["fail", "slow", "after", "dependent"]
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	r := gobuildj(t, dir, "-j2")
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", r.code, r.out)
	}
	assertRan(t, dir, "fail", "slow")
	if !strings.Contains(r.out, "FAILED: fail (exit code 3)") {
		t.Errorf("FAILED line:\n%s", r.out)
	}
	if !strings.Contains(r.out, "2 not run") {
		t.Errorf("summary should count 2 not run:\n%s", r.out)
	}
	r = gobuildj(t, dir, "-j2", "-k")
	if r.code != 1 {
		t.Fatalf("-k: exit code %d, want 1:\n%s", r.code, r.out)
	}
	assertRan(t, dir, "fail", "after")
}

func TestThousandTargets(t *testing.T) {
	var bf strings.Builder
	bf.WriteString("[targets.all]\ndeps = [")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&bf, "%q,", fmt.Sprintf("t%d", i))
	}
	bf.WriteString("]\n")
	files := map[string]string{}
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&bf, "[targets.t%d]\ninputs = [\"src/%d.txt\"]\noutputs = [\"out/%d.txt\"]\ncmd = \"cp ${in} ${out}\"\n", i, i, i)
		files[fmt.Sprintf("src/%d.txt", i)] = fmt.Sprintf("content %d\n", i)
	}
	files["Buildfile.toml"] = bf.String()
	dir := project(t, files)
	r := mustBuild(t, dir, "-j2")
	if !strings.Contains(r.out, "1000 run, 0 up to date, 0 failed") {
		t.Fatalf("full build summary:\n%s", tail(r.out))
	}
	for _, i := range []int{0, 500, 999} {
		if got := read(t, filepath.Join(dir, fmt.Sprintf("out/%d.txt", i))); got != fmt.Sprintf("content %d\n", i) {
			t.Fatalf("out/%d.txt = %q", i, got)
		}
	}
	r = mustBuild(t, dir, "-j2")
	if !strings.Contains(r.out, "0 run, 1000 up to date, 0 failed") {
		t.Fatalf("no-op summary:\n%s", tail(r.out))
	}
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return strings.Join(lines, "\n")
}

func TestDryRun(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
	r := mustBuild(t, dir, "-n")
	assertRan(t, dir)
	if !strings.Contains(r.out, "GEN build/gen.txt") || !strings.Contains(r.out, "upper") {
		t.Errorf("dry run should name what would run:\n%s", r.out)
	}
	if _, err := os.Stat(filepath.Join(dir, ".gobuildj")); !os.IsNotExist(err) {
		t.Errorf("a dry run wrote state: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "build")); !os.IsNotExist(err) {
		t.Errorf("a dry run created the output folder: %v", err)
	}
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	r = mustBuild(t, dir, "-n")
	if !strings.Contains(r.out, "0 to run, 2 up to date") {
		t.Errorf("dry run after a build:\n%s", r.out)
	}
}

func TestForceRebuildsEverything(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	mustBuild(t, dir, "-B")
	assertRan(t, dir, "gen", "upper")
}

func TestAlwaysRuns(t *testing.T) {
	const bf = `
[targets.stamp]
always = true
cmd = "echo ${target} >> ran.log"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	mustBuild(t, dir, "stamp")
	mustBuild(t, dir, "stamp")
	assertRan(t, dir, "stamp", "stamp")
}

func TestDirectoryAndFileFlags(t *testing.T) {
	dir := project(t, map[string]string{"sub/build.toml": chain, "sub/src.txt": "hi\n"})
	mustBuild(t, dir, "-C", "sub", "-f", "build.toml", "upper")
	if got := read(t, filepath.Join(dir, "sub/build/upper.txt")); got != "HI\n" {
		t.Fatalf("upper.txt = %q", got)
	}
	r := gobuildj(t, dir)
	if r.code != 2 || !strings.Contains(r.out, "no Buildfile.toml in") {
		t.Fatalf("no Buildfile: exit %d:\n%s", r.code, r.out)
	}
}

func TestTargetByOutputPath(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
	mustBuild(t, dir, "build/gen.txt")
	assertRan(t, dir, "gen")
	mustBuild(t, dir, "./build/upper.txt")
	assertRan(t, dir, "upper")
}

func TestCommandsRunInDirWithVariables(t *testing.T) {
	const bf = `
[vars]
greeting = "hello"

[targets.all]
dir     = "sub"
inputs  = ["sub/in.txt"]
outputs = ["out/result.txt"]
env     = { WHO = "${greeting} world" }
cmd     = "echo $WHO $$GOBUILDJ_TARGET $(basename $$PWD) > ${out}; cat ${in} >> ${out}"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "sub/in.txt": "input\n"})
	mustBuild(t, dir)
	if got := read(t, filepath.Join(dir, "out/result.txt")); got != "hello world all sub\ninput\n" {
		t.Fatalf("out/result.txt = %q", got)
	}
}
