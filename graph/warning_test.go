package graph

import (
	"slices"
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
