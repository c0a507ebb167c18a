package graph

import (
	"slices"
	"strings"
	"testing"
)

// TestEmptyInputGlobWarns checks that an input glob matching no file is a
// warning, located at the glob, unless it matches a file or another
// target's output; a rule's instances warn once.
func TestEmptyInputGlobWarns(t *testing.T) {
	g := mustLoad(t, `
[targets.t]
inputs = ["tests/*.bash", "src/*.c", "gen/*.h"]
cmd = "true"

[targets.gen]
outputs = ["gen/v.h"]
cmd = "touch gen/v.h"

[rules.obj]
foreach = "src/*.c"
inputs = ["${match}", "include/*.h"]
outputs = ["${stem}.o"]
cmd = "true"
`, map[string]string{"src/a.c": "", "src/b.c": ""})
	want := []string{
		`Buildfile.toml:3:11: target "t": inputs: glob "tests/*.bash" matches no file (expected a pattern that matches files or another target's outputs: the target does not run again until one appears; ignore this if it fills later)`,
		`Buildfile.toml:12:23: rule "obj": inputs: glob "include/*.h" matches no file (expected a pattern that matches files or another target's outputs: the target does not run again until one appears; ignore this if it fills later)`,
	}
	if !slices.Equal(g.Warnings, want) {
		t.Errorf("warnings:\n%q\nwant\n%q", g.Warnings, want)
	}
}

// TestMakeismsWarn checks the hints for make's spellings in a command, and
// that the shell's own ($$@, $(date), $HOME) get none.
func TestMakeismsWarn(t *testing.T) {
	g := mustLoad(t, `
[vars]
CC = "cc"

[targets.app]
inputs = ["a.c"]
outputs = ["app"]
cmd = "$(CC) -o $@ $^ && echo $< $$@ $$(CC) $(date) $HOME ${CC}"
`, map[string]string{"a.c": ""})
	want := []string{
		`Buildfile.toml:8:8: target "app": cmd: $(CC) goes to the shell, which runs the command CC in its place (make's variable): did you mean ${CC}? (write $$(CC) for the shell's)`,
		`Buildfile.toml:8:17: target "app": cmd: $@ goes to the shell, which takes it for its arguments (make's target): did you mean ${out}? (write $$@ for the shell's)`,
		`Buildfile.toml:8:20: target "app": cmd: $^ goes to the shell as it is (make's prerequisites): did you mean ${in}?`,
		`Buildfile.toml:8:31: target "app": cmd: $< goes to the shell, which takes it for a "$" and a redirection (make's first prerequisite): did you mean ${in}? (in a rule, ${match} is the file foreach matched)`,
	}
	if !slices.Equal(g.Warnings, want) {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(g.Warnings, "\n"), strings.Join(want, "\n"))
	}
}
