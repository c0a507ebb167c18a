package main

import (
	"os"
	"path/filepath"
	"testing"
)

// File names reach commands quoted: a name that holds shell syntax is a
// name, never code, and a name with spaces stays one word.
func TestFileNamesAreQuotedInCommands(t *testing.T) {
	names := []string{"x;touch PWNED;", "$(touch PWNED2)", "a b", "it's", "`touch PWNED3`", "plain"}
	files := map[string]string{
		"Buildfile.toml": `
default = ["all", "raw"]
[rules.copy]
foreach = "src/*.txt"
inputs  = ["${match}"]
outputs = ["build/${stem}.out"]
cmd     = "cp ${in} ${out} && echo ${match} ${stem} >> stems.log"
[targets.all]
deps = ["copy"]
outputs = ["all.txt"]
cmd = "cat ${deps} > ${out}"
[targets.raw]
inputs = ["src/a b.txt"]
outputs = ["raw.txt"]
cmd = "printf '%s\n' ${in:raw} > ${out}"
`,
	}
	for _, n := range names {
		files["src/"+n+".txt"] = n + "\n"
	}
	dir := project(t, files)
	mustBuild(t, dir)
	for _, p := range []string{"PWNED", "PWNED2", "PWNED3", "src/PWNED", "build/PWNED"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s exists: a file name ran as code", p)
		}
	}
	for _, n := range names {
		if got := read(t, filepath.Join(dir, "build", n+".out")); got != n+"\n" {
			t.Errorf("build/%s.out = %q, want %q", n, got, n+"\n")
		}
	}
	if got := read(t, filepath.Join(dir, "raw.txt")); got != "src/a\nb.txt\n" {
		t.Errorf("${in:raw} gave %q, want the name unquoted, split by the shell", got)
	}
}
