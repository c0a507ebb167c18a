package cache

import (
	"reflect"
	"testing"
)

// toolAction is baseAction with a compiler and a declared variable.
func toolAction() *Action {
	a := baseAction()
	a.Tools = []Tool{
		{Name: "cc", Path: "/usr/bin/cc", Hash: HashBytes([]byte("gcc 12"))},
		{Name: "strip", Path: "/usr/bin/strip", Hash: HashBytes([]byte("strip"))},
	}
	a.EnvInputs = []PathHash{{Path: "CFLAGS", Hash: EnvHash("-O2", true)}}
	return a
}

// TestActionKeyTools: a tool enters the key by its content, not its path;
// a declared variable by its value, unset apart from empty; neither
// touches the command's hash.
func TestActionKeyTools(t *testing.T) {
	base := toolAction()
	for _, tc := range []struct {
		name   string
		change func(a *Action)
		same   bool // the key must stay the same
	}{
		{"another compiler first in PATH", func(a *Action) {
			a.Tools[0] = Tool{Name: "cc", Path: "/opt/clang/bin/cc", Hash: HashBytes([]byte("clang 16"))}
		}, false},
		{"the compiler upgraded in place", func(a *Action) { a.Tools[0].Hash = HashBytes([]byte("gcc 13")) }, false},
		{"the same compiler in another folder", func(a *Action) { a.Tools[0].Path = "/home/me/bin/cc" }, true},
		{"a tool no longer found", func(a *Action) { a.Tools[1] = Tool{Name: "strip"} }, false},
		{"a tool declared", func(a *Action) { a.Tools = append(a.Tools, Tool{Name: "gcc-12", Path: "/usr/bin/gcc-12"}) }, false},
		{"tools reordered", func(a *Action) { a.Tools[0], a.Tools[1] = a.Tools[1], a.Tools[0] }, false},
		{"a variable's value", func(a *Action) { a.EnvInputs[0].Hash = EnvHash("-O3", true) }, false},
		{"a variable unset", func(a *Action) { a.EnvInputs[0].Hash = EnvHash("", false) }, false},
		{"a variable declared", func(a *Action) {
			a.EnvInputs = append(a.EnvInputs, PathHash{Path: "CC", Hash: EnvHash("", false)})
		}, false},
	} {
		a := toolAction()
		tc.change(a)
		if (a.Key() == base.Key()) != tc.same {
			t.Errorf("%s: key unchanged = %v, want %v", tc.name, a.Key() == base.Key(), tc.same)
		}
		if a.CmdHash() != base.CmdHash() || a.DepsHash() != base.DepsHash() {
			t.Errorf("%s: changed the command's or the deps' hash", tc.name)
		}
	}
	if EnvHash("", true) == EnvHash("", false) {
		t.Error("an empty variable hashes as an unset one")
	}
	if plain := baseAction(); plain.Key() == base.Key() {
		t.Error("tools and variables are not in the key")
	}
}

// TestRecordRoundTripTools: the tools and variables of a run survive the
// state log, with or without a depfile, and a record cut where they begin
// reads as one without them (written before they existed).
func TestRecordRoundTripTools(t *testing.T) {
	a := toolAction()
	rec := a.Record("obj", a.Key())
	if rec.Tools[0] != (PathHash{Path: "/usr/bin/cc", Hash: HashBytes([]byte("gcc 12"))}) || len(rec.EnvInputs) != 1 {
		t.Fatalf("Record keeps tools %v and variables %v", rec.Tools, rec.EnvInputs)
	}
	withDepfile := rec
	withDepfile.Discovered, withDepfile.Depfile = []string{"a.h"}, "a.d"
	for _, r := range []TargetRecord{rec, withDepfile} {
		body := encodeBody(func(b []byte) []byte { return appendTargetBody(b, &r) })
		if _, err := readEntry(body); err != nil {
			t.Fatal(err)
		}
		got, err := decodeTarget(body)
		if err != nil || !reflect.DeepEqual(got, r) {
			t.Errorf("round trip:\n got %+v, %v\nwant %+v", got, err, r)
		}
		old := r
		old.Tools, old.EnvInputs, old.CmdText, old.EnvValues = nil, nil, nil, nil
		cut := len(encodeBody(func(b []byte) []byte { return appendTargetBody(b, &old) }))
		if r.Depfile == "" {
			cut += 2 // the empty depfile section that precedes the tools
			old.Discovered = nil
		}
		if got, err := decodeTarget(body[:cut]); err != nil || !reflect.DeepEqual(got, old) {
			t.Errorf("cut before the tools: %+v, %v", got, err)
		}
	}
}

// TestCheckExplainsToolsAndEnv: --explain names the tool or variable.
func TestCheckExplainsToolsAndEnv(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(a *Action)
		want   string
	}{
		{"up to date", func(a *Action) {}, ""},
		{"same compiler elsewhere", func(a *Action) { a.Tools[0].Path = "/home/me/bin/cc" }, ""},
		{"other compiler", func(a *Action) {
			a.Tools[0] = Tool{Name: "cc", Path: "/opt/clang/bin/cc", Hash: HashBytes([]byte("clang"))}
		}, "tool /opt/clang/bin/cc changed"},
		{"compiler upgraded", func(a *Action) { a.Tools[1].Hash = HashBytes([]byte("strip 2")) }, "tool /usr/bin/strip changed"},
		{"tool gone", func(a *Action) { a.Tools[1] = Tool{Name: "strip"} }, "tool strip changed"},
		{"tool dropped", func(a *Action) { a.Tools = a.Tools[:1] }, "tool /usr/bin/strip changed"},
		{"variable", func(a *Action) { a.EnvInputs[0].Hash = EnvHash("-O3", true) }, "env CFLAGS changed"},
		{"variable declared", func(a *Action) {
			a.EnvInputs = append([]PathHash{{Path: "CC", Hash: EnvHash("", false)}}, a.EnvInputs...)
		}, "env CC changed"},
		{"command first", func(a *Action) { a.Cmds[0] += " -g"; a.Tools[0].Hash = Hash{} }, "command changed"},
	} {
		dir := t.TempDir()
		s := mustOpen(t, dir)
		a := toolAction()
		if tc.name == "same compiler elsewhere" {
			// The record of a run is compared by key: a path alone is no change.
			a.Tools[0].Path = "/usr/bin/cc"
		}
		mustRecord(t, s, a.Record("obj", a.Key()))
		tc.change(a)
		if got := s.Check("obj", a, a.Key(), nil).String(); got != tc.want {
			t.Errorf("%s: Check = %q, want %q", tc.name, got, tc.want)
		}
		s.Close()
	}
}
