package cache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// checkFixture is a store holding one recorded run of target "obj", and the
// arguments of the Check call a test case edits.
type checkFixture struct {
	dir     string
	s       *Store
	name    string
	a       *Action
	key     *Hash // nil: a.Key()
	outputs []string
}

func (fx *checkFixture) path(rel string) string { return filepath.Join(fx.dir, rel) }

// newCheckFixture records the run; editRecord, if not nil, alters its
// record first.
func newCheckFixture(t testing.TB, editRecord func(*TargetRecord)) *checkFixture {
	dir := t.TempDir()
	fx := &checkFixture{dir: dir, name: "obj"}
	for _, f := range []string{"src/a.c", "src/b.c", "src/c.c", "build/a.o"} {
		writeFile(t, fx.path(f), []byte("content of "+f))
	}
	makeOld(t, fx.path("build/a.o"))
	fx.a = &Action{
		Cmds: []string{"cc -c src/a.c -o build/a.o"},
		Env:  []string{"LC_ALL=C"},
		Dir:  ".",
		Inputs: []PathHash{
			{Path: "src/a.c", Hash: HashBytes([]byte("content of src/a.c"))},
			{Path: "src/b.c", Hash: HashBytes([]byte("content of src/b.c"))},
		},
		DepOutputs: []PathHash{{Path: "gen/v.h", Hash: HashBytes([]byte("v"))}},
	}
	fx.outputs = []string{fx.path("build/a.o")}

	fx.s = mustOpen(t, dir)
	t.Cleanup(func() { fx.s.Close() })
	rec := fx.a.Record("obj", fx.a.Key())
	st, err := Fingerprint(fx.outputs[0])
	if err != nil {
		t.Fatal(err)
	}
	rec.Outputs = []PathState{{Path: fx.outputs[0], State: st}}
	if editRecord != nil {
		editRecord(&rec)
	}
	mustRecord(t, fx.s, rec)

	// The action the next build computes is a copy of the recorded one.
	a := *fx.a
	a.Cmds = append([]string(nil), a.Cmds...)
	a.Env = append([]string(nil), a.Env...)
	a.Inputs = append([]PathHash(nil), a.Inputs...)
	a.DepOutputs = append([]PathHash(nil), a.DepOutputs...)
	fx.a = &a
	return fx
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		record func(rec *TargetRecord) // alters what was recorded
		edit   func(t *testing.T, fx *checkFixture)
		want   string
	}{
		{name: "up to date", want: ""},
		{name: "never built", edit: func(t *testing.T, fx *checkFixture) { fx.name = "other" }, want: "no previous run"},
		{name: "forgotten", edit: func(t *testing.T, fx *checkFixture) {
			if err := fx.s.ForgetTarget("obj"); err != nil {
				t.Fatal(err)
			}
		}, want: "no previous run"},
		{name: "command", edit: func(t *testing.T, fx *checkFixture) { fx.a.Cmds[0] += " -O2" }, want: "command changed"},
		{name: "env", edit: func(t *testing.T, fx *checkFixture) { fx.a.Env[0] = "LC_ALL=fr_FR" }, want: "command changed"},
		{name: "dir", edit: func(t *testing.T, fx *checkFixture) { fx.a.Dir = "src" }, want: "command changed"},
		{name: "input changed", edit: func(t *testing.T, fx *checkFixture) { fx.a.Inputs[0].Hash = HashBytes([]byte("edited")) }, want: "input src/a.c changed"},
		{name: "input added", edit: func(t *testing.T, fx *checkFixture) {
			fx.a.Inputs = append(fx.a.Inputs, PathHash{Path: "src/c.c", Hash: HashBytes([]byte("content of src/c.c"))})
		}, want: "input src/c.c added"},
		{name: "input removed", edit: func(t *testing.T, fx *checkFixture) { fx.a.Inputs = fx.a.Inputs[:1] }, want: "input src/b.c removed"},
		{name: "input added first in order", edit: func(t *testing.T, fx *checkFixture) {
			fx.a.Inputs = append(fx.a.Inputs, PathHash{Path: "include/x.h"})
		}, want: "input include/x.h added"},
		{name: "dep output changed", edit: func(t *testing.T, fx *checkFixture) { fx.a.DepOutputs[0].Hash = HashBytes([]byte("v2")) }, want: "dep output gen/v.h changed"},
		{name: "dep output changed, dep named", edit: func(t *testing.T, fx *checkFixture) {
			fx.a.DepOutputs[0].Hash = HashBytes([]byte("v2"))
			fx.a.DepOf = func(path string) string { return map[string]string{"gen/v.h": "gen"}[path] }
		}, want: "dep gen rebuilt with new outputs"},
		{name: "dep output added", edit: func(t *testing.T, fx *checkFixture) {
			fx.a.DepOutputs = append(fx.a.DepOutputs, PathHash{Path: "gen/w.h"})
		}, want: "dep output gen/w.h added"},
		{name: "dep output removed", edit: func(t *testing.T, fx *checkFixture) { fx.a.DepOutputs = nil }, want: "dep output gen/v.h removed"},
		{name: "dep output added, and so ${deps} in the command", edit: func(t *testing.T, fx *checkFixture) {
			fx.a.DepOutputs = append(fx.a.DepOutputs, PathHash{Path: "gen/w.h"})
			fx.a.Cmds[0] += " gen/w.h"
		}, want: "dep output gen/w.h added"},
		{name: "command changed before a dep's content", edit: func(t *testing.T, fx *checkFixture) {
			fx.a.DepOutputs[0].Hash = HashBytes([]byte("v2"))
			fx.a.Cmds[0] += " -O2"
		}, want: "command changed"},
		{name: "dep output changed, unnamed", record: noDepOutputs, edit: func(t *testing.T, fx *checkFixture) {
			fx.a.DepOutputs[0].Hash = HashBytes([]byte("v2"))
		}, want: "dep outputs changed"},
		{name: "key from elsewhere", edit: func(t *testing.T, fx *checkFixture) {
			k := HashBytes([]byte("a key the action does not explain"))
			fx.key = &k
		}, want: "action changed"},
		{name: "no action to explain", edit: func(t *testing.T, fx *checkFixture) {
			k := HashBytes([]byte("other"))
			fx.a, fx.key = nil, &k
		}, want: "action changed"},
		{name: "output missing", edit: func(t *testing.T, fx *checkFixture) {
			if err := os.Remove(fx.outputs[0]); err != nil {
				t.Fatal(err)
			}
		}, want: "output build/a.o missing"},
		{name: "output modified", edit: func(t *testing.T, fx *checkFixture) {
			writeFile(t, fx.outputs[0], []byte("hand edited"))
		}, want: "output build/a.o modified"},
		{name: "output modified, same size and mtime", edit: func(t *testing.T, fx *checkFixture) {
			st, _ := StatFile(fx.outputs[0])
			writeFile(t, fx.outputs[0], []byte("CONTENT OF build/a.o"))
			m := time.Unix(0, st.MtimeNs)
			os.Chtimes(fx.outputs[0], m, m)
		}, want: "output build/a.o modified"},
		{name: "output touched", edit: func(t *testing.T, fx *checkFixture) {
			now := time.Now()
			os.Chtimes(fx.outputs[0], now, now)
		}, want: ""},
		{name: "output replaced by a folder", edit: func(t *testing.T, fx *checkFixture) {
			os.Remove(fx.outputs[0])
			os.Mkdir(fx.outputs[0], 0o777)
		}, want: "output build/a.o unreadable"},
		// A fake recorded hash tells whether Check read the output.
		{name: "output trusted without reading", record: fakeOutputHash(false), want: ""},
		{name: "racy output rehashed", record: fakeOutputHash(true), want: "output build/a.o modified"},
		{name: "racy output unchanged", record: func(rec *TargetRecord) { rec.Outputs[0].State.Racy = true }, want: ""},
		{name: "output declared", edit: func(t *testing.T, fx *checkFixture) {
			fx.outputs = append(fx.outputs, fx.path("build/a.d"))
		}, want: "outputs changed"},
		{name: "output undeclared", edit: func(t *testing.T, fx *checkFixture) { fx.outputs = nil }, want: "outputs changed"},
		{name: "output renamed", edit: func(t *testing.T, fx *checkFixture) { fx.outputs[0] = fx.path("build/b.o") }, want: "outputs changed"},
		{name: "outputs relative to the folder", edit: func(t *testing.T, fx *checkFixture) { fx.outputs[0] = "build/a.o" }, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := newCheckFixture(t, tc.record)
			if tc.edit != nil {
				tc.edit(t, fx)
			}
			key := fx.key
			if key == nil {
				k := fx.a.Key()
				key = &k
			}
			got := fx.s.Check(fx.name, fx.a, *key, fx.outputs).String()
			if got != tc.want && (tc.want == "" || !strings.HasPrefix(got, tc.want)) {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
}

func noDepOutputs(rec *TargetRecord) { rec.DepOutputs = nil }

func fakeOutputHash(racy bool) func(*TargetRecord) {
	return func(rec *TargetRecord) {
		rec.Outputs[0].State.Hash = HashBytes([]byte("not the output's content"))
		rec.Outputs[0].State.Racy = racy
	}
}

// TestCheckAfterReopen: the verdict comes from the log, not from memory.
func TestCheckAfterReopen(t *testing.T) {
	fx := newCheckFixture(t, nil)
	mustClose(t, fx.s)
	s := mustOpen(t, fx.dir)
	defer mustClose(t, s)
	if got := s.Check("obj", fx.a, fx.a.Key(), fx.outputs); !got.IsZero() {
		t.Errorf("Check after reopening = %q, want up to date", got)
	}
	fx.a.Inputs[1].Hash = Hash{}
	if got := s.Check("obj", fx.a, fx.a.Key(), fx.outputs); got.String() != "input src/b.c changed" {
		t.Errorf("Check = %q", got)
	}
}

// BenchmarkCheckUpToDate is the verdict of a no-op build for one target:
// record lookup, key comparison, and the stat of its output.
func BenchmarkCheckUpToDate(b *testing.B) {
	fx := newCheckFixture(b, nil)
	key := fx.a.Key()
	b.ReportAllocs()
	for b.Loop() {
		if reason := fx.s.Check(fx.name, fx.a, key, fx.outputs); !reason.IsZero() {
			b.Fatal(reason)
		}
	}
}
