package cache

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestLeftovers(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	abs := func(p string) string { return filepath.Join(dir, p) }
	mustRecord(t, s, TargetRecord{Name: "gen", Outputs: []PathState{{Path: abs("a.out")}, {Path: abs("b.out")}}, Depfile: "gen.d"})
	mustRecord(t, s, TargetRecord{Name: "plain", Outputs: []PathState{{Path: abs("p.out")}}})
	for _, c := range []struct {
		name, depfile string
		outputs       []string
		want          []string
	}{
		{"gen", "gen.d", []string{"a.out", "b.out"}, nil},
		{"gen", "gen.d", []string{"b.out", abs("a.out")}, nil}, // another order, absolute
		{"gen", "gen.d", []string{"a.out"}, []string{abs("b.out")}},
		{"gen", "", []string{"c.out"}, []string{abs("a.out"), abs("b.out"), "gen.d"}},
		{"gen", "other.d", []string{"a.out", "b.out"}, []string{"gen.d"}},
		{"plain", "", []string{"p.out"}, nil},
		{"plain", "new.d", nil, []string{abs("p.out")}},
		{"none", "", nil, nil},
	} {
		got, recorded := s.Leftovers(c.name, c.outputs, c.depfile)
		if !slices.Equal(got, c.want) || recorded != (c.name != "none") {
			t.Errorf("Leftovers(%s, %q, %q) = %q, %v; want %q", c.name, c.outputs, c.depfile, got, recorded, c.want)
		}
	}
	if n := s.NumTargets(); n != 2 {
		t.Errorf("NumTargets = %d, want 2", n)
	}
	if n := testing.AllocsPerRun(100, func() { s.Leftovers("gen", []string{"a.out", "b.out"}, "gen.d") }); n != 0 {
		t.Errorf("Leftovers with nothing left over allocates %v times", n)
	}
}
