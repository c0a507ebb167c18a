package engine

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

const withIntermediate = `
[targets.mid]
inputs  = ["in.txt"]
outputs = ["mid.out"]
cmd     = "mid"
intermediate = true
[targets.top]
inputs  = ["mid.out", "extra.txt"]
outputs = ["top.out"]
cmd     = "top"
[targets.all]
deps = ["top"]
`

func (p *fakeProject) exists(name string) bool {
	_, err := os.Lstat(filepath.Join(p.g.Root, name))
	return err == nil
}

// An intermediate target's outputs stay while a reader failed, and go once
// a later build has built it; the intermediate does not run again then.
func TestBuilderIntermediateKeptUntilItsReadersSucceed(t *testing.T) {
	p := newFakeProject(t, withIntermediate, map[string]string{"in.txt": "a", "extra.txt": "x"})
	p.fake.Outcome = failing("top")
	rec, _, err := p.build(Options{Jobs: 1})
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("err %v, want ErrFailed", err)
	}
	if !slices.Equal(rec.started, []string{"mid", "top"}) || !p.exists("mid.out") {
		t.Fatalf("started %v, mid.out there: %v; want mid and top, mid.out kept", rec.started, p.exists("mid.out"))
	}
	p.fake.Outcome = nil
	rec, _, err = p.build(Options{Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.started, []string{"top"}) || p.exists("mid.out") {
		t.Fatalf("started %v, mid.out there: %v; want top alone, mid.out deleted", rec.started, p.exists("mid.out"))
	}
	rec, _, err = p.build(Options{Jobs: 1})
	if err != nil || len(rec.started) != 0 {
		t.Fatalf("a further build started %v (err %v), want nothing", rec.started, err)
	}
	// The reader must run: the intermediate is rebuilt first.
	p.write("extra.txt", "y")
	rec, _, err = p.build(Options{Jobs: 1})
	if err != nil || !slices.Equal(rec.started, []string{"mid", "top"}) || p.exists("mid.out") {
		t.Fatalf("started %v (err %v), mid.out there: %v; want mid then top, mid.out deleted", rec.started, err, p.exists("mid.out"))
	}
}
