package graph

import (
	"slices"
	"testing"
)

func TestClosure(t *testing.T) {
	g := mustLoad(t, `
[targets.all]
deps = ["app", "doc"]

[targets.app]
deps = ["lib", "gen"]
cmd  = "true"

[targets.lib]
deps = ["gen"]
cmd  = "true"

[targets.gen]
cmd = "true"

[targets.doc]
cmd = "true"

[targets.unrelated]
cmd = "true"
`, nil)
	names := func(ts []*Target) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Name)
		}
		return out
	}
	pos := func(ts []*Target, name string) int {
		return slices.Index(names(ts), name)
	}
	for _, c := range []struct {
		roots []string
		want  []string // the set, in any order
	}{
		{nil, nil},
		{[]string{"gen"}, []string{"gen"}},
		{[]string{"app"}, []string{"app", "lib", "gen"}},
		{[]string{"lib", "app", "lib"}, []string{"app", "lib", "gen"}},
		{[]string{"all"}, []string{"all", "app", "lib", "gen", "doc"}},
		{[]string{"doc", "unrelated"}, []string{"doc", "unrelated"}},
	} {
		var roots []*Target
		for _, name := range c.roots {
			r, ok := g.Lookup(name)
			if !ok {
				t.Fatalf("no target %s", name)
			}
			roots = append(roots, r)
		}
		got := g.Closure(roots)
		gotSorted, wantSorted := names(got), slices.Clone(c.want)
		slices.Sort(gotSorted)
		slices.Sort(wantSorted)
		if !slices.Equal(gotSorted, wantSorted) {
			t.Errorf("Closure(%q) = %q, want the set %q", c.roots, names(got), c.want)
			continue
		}
		// g's order: every target comes after its deps.
		for _, x := range got {
			for _, d := range x.Deps {
				if pos(got, d.Name) > pos(got, x.Name) {
					t.Errorf("Closure(%q) = %q: %s before its dep %s", c.roots, names(got), x.Name, d.Name)
				}
			}
		}
	}
}
