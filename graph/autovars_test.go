package graph

import (
	"slices"
	"testing"
)

// TestLoadInKeepsWrittenOrder checks that ${in} lists the inputs as written
// (make's $^, ninja's $in): literal paths in place, a glob's matches sorted
// in place, each path once where it first appears. Inputs stays the sorted
// set, in every string that may use ${in}.
func TestLoadInKeepsWrittenOrder(t *testing.T) {
	g := mustLoad(t, `
[targets.cat]
inputs      = ["b.txt", "a.txt", "10.txt", "parts/*.txt", "2.txt", "a.txt", "parts/x.txt"]
outputs     = ["all.txt"]
description = "CAT ${in}"
env         = { IN = "${in}" }
depfile     = "${in:raw}.d"
cmd         = "cat ${in} > ${out}; echo ${in:raw}"

[targets.sorted]
inputs = ["parts/*.txt", "z.txt"]
cmd    = "echo ${in}"
`, map[string]string{
		"a.txt": "", "b.txt": "", "10.txt": "", "2.txt": "", "z.txt": "",
		"parts/y.txt": "", "parts/x.txt": "", "parts/x 1.txt": "",
	})
	cat, _ := g.Lookup("cat")
	written := "b.txt a.txt 10.txt parts/x 1.txt parts/x.txt parts/y.txt 2.txt"
	if want := "cat b.txt a.txt 10.txt 'parts/x 1.txt' parts/x.txt parts/y.txt 2.txt > all.txt; echo " + written; cat.Cmds[0] != want {
		t.Errorf("cmd = %q, want %q", cat.Cmds[0], want)
	}
	if want := "CAT " + written; cat.Description != want {
		t.Errorf("description = %q, want %q", cat.Description, want)
	}
	if want := []string{"IN=" + written}; !slices.Equal(cat.Env, want) {
		t.Errorf("env = %q, want %q", cat.Env, want)
	}
	if want := written + ".d"; cat.Depfile != want {
		t.Errorf("depfile = %q, want %q", cat.Depfile, want)
	}
	wantSet := []string{"10.txt", "2.txt", "a.txt", "b.txt", "parts/x 1.txt", "parts/x.txt", "parts/y.txt"}
	if !slices.Equal(cat.Inputs, wantSet) {
		t.Errorf("Inputs = %q, want the sorted set %q", cat.Inputs, wantSet)
	}
	sorted, _ := g.Lookup("sorted")
	if want := "echo 'parts/x 1.txt' parts/x.txt parts/y.txt z.txt"; sorted.Cmds[0] != want {
		t.Errorf("cmd = %q, want %q", sorted.Cmds[0], want)
	}
}

// TestInputSets checks the two views of a target's inputs.
func TestInputSets(t *testing.T) {
	for _, c := range []struct{ in, written, sorted []string }{
		{nil, nil, nil},
		{[]string{"a", "b", "b", "c"}, []string{"a", "b", "c"}, []string{"a", "b", "c"}},
		{[]string{"b", "a", "10", "2"}, []string{"b", "a", "10", "2"}, []string{"10", "2", "a", "b"}},
		{[]string{"b", "a", "b", "c", "a"}, []string{"b", "a", "c"}, []string{"a", "b", "c"}},
	} {
		written, sorted := inputSets(slices.Clone(c.in))
		if !slices.Equal(written, c.written) || !slices.Equal(sorted, c.sorted) {
			t.Errorf("inputSets(%q) = %q, %q, want %q, %q", c.in, written, sorted, c.written, c.sorted)
		}
	}
}
