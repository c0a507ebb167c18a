package cache

import (
	"slices"
	"testing"
)

func baseAction() *Action {
	return &Action{
		Cmds: []string{"cc -c src/a.c -o build/a.o", "strip build/a.o"},
		Env:  []string{"CFLAGS=-O2", "LC_ALL=C"},
		Dir:  ".",
		Inputs: []PathHash{
			{Path: "src/a.c", Hash: HashBytes([]byte("a"))},
			{Path: "src/a.h", Hash: HashBytes([]byte("h"))},
		},
		DepOutputs: []PathHash{
			{Path: "gen/v.h", Hash: HashBytes([]byte("v"))},
			{Path: "gen/w.h", Hash: HashBytes([]byte("w"))},
		},
	}
}

// TestActionKeyCoversEverything: changing any part of an action changes its
// key, and only the matching part hash; ambiguous encodings stay apart.
func TestActionKeyCoversEverything(t *testing.T) {
	base := baseAction()
	for _, tc := range []struct {
		name      string
		change    func(a *Action)
		cmd, deps bool // whether CmdHash, DepsHash must change
	}{
		{"command edited", func(a *Action) { a.Cmds[0] += " -g" }, true, false},
		{"command added", func(a *Action) { a.Cmds = append(a.Cmds, "true") }, true, false},
		{"commands split differently", func(a *Action) { a.Cmds = []string{"cc -c src/a.c -o build/a.o strip", "build/a.o"} }, true, false},
		{"commands joined", func(a *Action) { a.Cmds = []string{a.Cmds[0] + a.Cmds[1]} }, true, false},
		{"env changed", func(a *Action) { a.Env[1] = "LC_ALL=en_US" }, true, false},
		{"env moved into commands", func(a *Action) { a.Cmds = append(a.Cmds, a.Env...); a.Env = nil }, true, false},
		{"dir changed", func(a *Action) { a.Dir = "sub" }, true, false},
		{"input content changed", func(a *Action) { a.Inputs[0].Hash = HashBytes([]byte("a2")) }, false, false},
		{"input added", func(a *Action) { a.Inputs = append(a.Inputs, PathHash{Path: "src/b.c"}) }, false, false},
		{"input removed", func(a *Action) { a.Inputs = a.Inputs[:1] }, false, false},
		{"input renamed", func(a *Action) { a.Inputs[1].Path = "src/a.hh" }, false, false},
		{"inputs swap contents", func(a *Action) { a.Inputs[0].Hash, a.Inputs[1].Hash = a.Inputs[1].Hash, a.Inputs[0].Hash }, false, false},
		{"input becomes a dep output", func(a *Action) { a.DepOutputs = append(a.DepOutputs, a.Inputs[1]); a.Inputs = a.Inputs[:1] }, false, true},
		{"dep output changed", func(a *Action) { a.DepOutputs[0].Hash = HashBytes([]byte("v2")) }, false, true},
		{"dep outputs reordered", func(a *Action) { slices.Reverse(a.DepOutputs) }, false, true},
	} {
		a := baseAction()
		tc.change(a)
		if a.Key() == base.Key() {
			t.Errorf("%s: the key did not change", tc.name)
		}
		if (a.CmdHash() != base.CmdHash()) != tc.cmd {
			t.Errorf("%s: CmdHash changed = %v, want %v", tc.name, !tc.cmd, tc.cmd)
		}
		if (a.DepsHash() != base.DepsHash()) != tc.deps {
			t.Errorf("%s: DepsHash changed = %v, want %v", tc.name, !tc.deps, tc.deps)
		}
	}
}

func TestActionKeyStable(t *testing.T) {
	a, b := baseAction(), baseAction()
	if a.Key() != b.Key() || a.CmdHash() != b.CmdHash() || a.DepsHash() != b.DepsHash() {
		t.Fatal("equal actions hash differently")
	}
	slices.Reverse(b.Inputs) // the input set is what counts, not its order
	if a.Key() != b.Key() {
		t.Error("the key depends on the order inputs are listed in")
	}
	if b.Inputs[0].Path != "src/a.h" {
		t.Error("Key sorted the caller's slice in place")
	}
	if k, c, d := a.Key(), a.CmdHash(), a.DepsHash(); k == c || k == d || c == d {
		t.Error("the key and the part hashes must never coincide")
	}
	var empty Action
	if empty.Key() == (Hash{}) || empty.Key() == empty.CmdHash() {
		t.Error("an empty action needs a proper key too")
	}
}

func TestActionRecord(t *testing.T) {
	a := baseAction()
	slices.Reverse(a.Inputs)
	rec := a.Record("obj", a.Key())
	if rec.Name != "obj" || rec.Key != a.Key() || rec.CmdHash != a.CmdHash() || rec.DepsHash != a.DepsHash() {
		t.Errorf("Record = %+v", rec)
	}
	if !slices.Equal(rec.Inputs, baseAction().Inputs) || !slices.Equal(rec.DepOutputs, a.DepOutputs) {
		t.Errorf("Record keeps inputs %v and dep outputs %v", rec.Inputs, rec.DepOutputs)
	}
	a.DepOutputs[0].Path = "changed"
	if rec.DepOutputs[0].Path == "changed" {
		t.Error("Record shares the action's slices")
	}
}

func BenchmarkActionKey(b *testing.B) {
	a := baseAction()
	b.ReportAllocs()
	for b.Loop() {
		a.Key()
	}
}
