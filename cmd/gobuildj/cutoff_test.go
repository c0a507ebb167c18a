package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// twoOutputs has gen write gen/a.txt from src.txt and gen/b.txt constant;
// useA reads gen/a.txt (an input), useB and useB2 gen/b.txt (a dep by
// output path, an input), and useAll names gen (a dep by name).
const twoOutputs = `
default = ["all"]

[vars]
log = "echo ${target} >> ran.log"

[targets.all]
deps = ["useA", "useB", "useB2", "useAll"]

[targets.gen]
inputs  = ["src.txt"]
outputs = ["gen/a.txt", "gen/b.txt"]
cmd     = ["${log}", "mkdir -p gen", "cp src.txt gen/a.txt", "echo constant > gen/b.txt"]

[targets.useA]
inputs  = ["gen/a.txt"]
outputs = ["out/a.txt"]
cmd     = ["${log}", "mkdir -p out", "cp gen/a.txt ${out}"]

[targets.useB]
deps    = ["gen/b.txt"]
outputs = ["out/b.txt"]
cmd     = ["${log}", "mkdir -p out", "cp gen/b.txt ${out}"]

[targets.useB2]
inputs  = ["gen/b.txt"]
outputs = ["out/b2.txt"]
cmd     = ["${log}", "mkdir -p out", "cp ${in} ${out}"]

[targets.useAll]
deps    = ["gen"]
outputs = ["out/all.txt"]
cmd     = ["${log}", "mkdir -p out", "cat ${deps} > ${out}"]
`

// TestCutoffPerOutput: gen runs again and changes one of its two
// outputs; what reads only the other is cut off, what reads the changed
// one or names gen runs.
func TestCutoffPerOutput(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": twoOutputs, "src.txt": "1\n"})
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "useA", "useB", "useB2", "useAll")

	write(t, filepath.Join(dir, "src.txt"), "2\n")
	r := mustBuild(t, dir, "--explain")
	assertRan(t, dir, "gen", "useA", "useAll")
	for _, want := range []string{"gen: input src.txt changed", "useA: input gen/a.txt changed",
		"useAll: dep gen rebuilt with new outputs", "3 run, 2 up to date"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("the output should say %q:\n%s", want, r.out)
		}
	}
	for _, cut := range []string{"useB", "useB2"} {
		want := "gobuildj explain: " + cut + ": not run: the outputs of its deps that it reads are unchanged\n"
		if !strings.Contains(r.out, want) {
			t.Errorf("the output should explain the cutoff of %s:\n%s", cut, r.out)
		}
	}
	if strings.Contains(r.out, "] useB") {
		t.Errorf("useB or useB2 ran though cut off:\n%s", r.out)
	}
	if got := read(t, filepath.Join(dir, "out/all.txt")); got != "2\nconstant\n" {
		t.Errorf("out/all.txt = %q", got)
	}

	// Then gen/b.txt changes: useB runs, for the output it names.
	write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(twoOutputs, "echo constant", "echo other", 1))
	write(t, filepath.Join(dir, "src.txt"), "3\n")
	r = mustBuild(t, dir, "--explain")
	assertRan(t, dir, "gen", "useA", "useB", "useB2", "useAll")
	for _, want := range []string{"useB: dep output gen/b.txt changed", "useB2: input gen/b.txt changed"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("--explain should say %q:\n%s", want, r.out)
		}
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}
