package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// patternProject has a rule "%.out from %.in" and a generator target that
// writes 123.in from seed.txt; 7.in is an ordinary source file.
var patternProject = map[string]string{
	"Buildfile.toml": `
[vars]
log = "echo ${target} >> ran.log"

[targets.gen]
inputs  = ["seed.txt"]
outputs = ["123.in"]
cmd     = "${log} && cp ${in} ${out}"

[rules.upper]
foreach = "*.in"
inputs  = ["${match}"]
outputs = ["${stem}.out"]
cmd     = "${log} && tr a-z A-Z < ${in} > ${out}"
`,
	"seed.txt": "generated\n",
	"7.in":     "plain\n",
}

func TestPatternRuleBuildsFromAGeneratedSource(t *testing.T) {
	dir := project(t, patternProject)
	mustBuild(t, dir, "123.out")
	got := ranLog(t, dir)
	if strings.Join(got, " ") != "gen 123.out" {
		t.Fatalf("commands run: %v, want gen then 123.out", got)
	}
	if s := read(t, filepath.Join(dir, "123.out")); s != "GENERATED\n" {
		t.Fatalf("123.out holds %q", s)
	}
	// 123.in now exists as well: the rule still makes one target for it.
	mustBuild(t, dir, "123.out")
	assertRan(t, dir)
	mustBuild(t, dir, "upper")
	assertRan(t, dir, "7.out")
	mustBuild(t, dir, "upper")
	assertRan(t, dir)

	// The generator's input changes: both run again, in order.
	write(t, filepath.Join(dir, "seed.txt"), "again\n")
	mustBuild(t, dir, "upper")
	if got := ranLog(t, dir); strings.Join(got, " ") != "gen 123.out" {
		t.Fatalf("commands run: %v, want gen then 123.out", got)
	}
	if s := read(t, filepath.Join(dir, "123.out")); s != "AGAIN\n" {
		t.Fatalf("123.out holds %q", s)
	}
	mustBuild(t, dir, "upper")
	assertRan(t, dir)

	// With 123.in deleted by hand, the generator writes it again.
	if err := os.Remove(filepath.Join(dir, "123.in")); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, dir, "123.out")
	assertRan(t, dir, "gen")
	mustBuild(t, dir, "upper")
	assertRan(t, dir)
}

func TestPatternRuleExistingFilesUnchanged(t *testing.T) {
	dir := project(t, patternProject)
	mustBuild(t, dir, "7.out")
	assertRan(t, dir, "7.out")
	if s := read(t, filepath.Join(dir, "7.out")); s != "PLAIN\n" {
		t.Fatalf("7.out holds %q", s)
	}
	mustBuild(t, dir, "7.out")
	assertRan(t, dir)
	// A source added makes its target at the next build; removed, it goes.
	write(t, filepath.Join(dir, "9.in"), "nine\n")
	mustBuild(t, dir, "upper")
	assertRan(t, dir, "gen", "123.out", "9.out")
	mustBuild(t, dir, "upper")
	assertRan(t, dir)
	if err := os.Remove(filepath.Join(dir, "9.in")); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, dir, "upper")
	assertRan(t, dir)
	if r := gobuildj(t, dir, "9.out"); r.code != 2 || !strings.Contains(r.out, `unknown target "9.out"`) ||
		!strings.Contains(r.out, `rule "upper" makes targets like it from the files its foreach matches, but "9.in" is neither a file nor a target's output`) {
		t.Fatalf("gobuildj 9.out: exit %d, want 2 naming the unknown target; output:\n%s", r.code, r.out)
	}
}

func TestPatternRulesChainInFileOrder(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[vars]
log = "echo ${target} >> ran.log"

[rules.pre]
foreach = "src/*.txt"
inputs  = ["${match}"]
outputs = ["gen/${stem}.in"]
cmd     = "${log} && cp ${in} ${out}"

[rules.upper]
foreach = "gen/*.in"
outputs = ["out/${stem}.out"]
cmd     = "${log} && tr a-z A-Z < gen/${stem}.in > ${out}"
`,
		"src/a.txt": "a\n",
		"src/b.txt": "b\n",
	})
	// upper's instances do not list ${match} in inputs: the target that
	// writes the matched file is a dep all the same.
	mustBuild(t, dir, "out/a.out")
	if got := ranLog(t, dir); strings.Join(got, " ") != "gen/a.in out/a.out" {
		t.Fatalf("commands run: %v, want gen/a.in then out/a.out", got)
	}
	mustBuild(t, dir, "upper")
	assertRan(t, dir, "gen/b.in", "out/b.out")
	if s := read(t, filepath.Join(dir, "out/b.out")); s != "B\n" {
		t.Fatalf("out/b.out holds %q", s)
	}
	mustBuild(t, dir, "upper")
	assertRan(t, dir)
}

func TestSelfMatchingRuleStopsAtOneLevel(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[rules.up]
foreach = "*.txt"
inputs  = ["${match}"]
outputs = ["${stem}.up.txt"]
cmd     = "echo ${target} >> ran.log && tr a-z A-Z < ${in} > ${out}"
`,
		"a.txt": "a\n",
	})
	mustBuild(t, dir, "up")
	assertRan(t, dir, "a.up.txt")
	// a.up.txt now exists and matches *.txt, but it is the rule's own
	// output: no target a.up.up.txt, at this build or any later one.
	mustBuild(t, dir, "up")
	assertRan(t, dir)
	mustBuild(t, dir, "a.up.txt")
	assertRan(t, dir)
	r := mustBuild(t, dir, "list", "--all")
	if strings.Contains(r.out, "a.up.up.txt") || !strings.Contains(r.out, "a.up.txt") {
		t.Fatalf("list --all:\n%s", r.out)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.up.up.txt")); !os.IsNotExist(err) {
		t.Fatalf("a.up.up.txt: %v, want it never built", err)
	}
}
