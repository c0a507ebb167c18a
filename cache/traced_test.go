package cache

import (
	"reflect"
	"testing"
)

// TestRecordRoundTripTraced: the traced inputs and probed paths of a
// record survive its encoding, alone or after every other optional field.
func TestRecordRoundTripTraced(t *testing.T) {
	full := sampleRecord("full")
	full.CmdText = &CmdText{Cmds: []string{"cc -c a.c"}}
	full.Traced = []string{"include/a.h", "list"}
	full.Probed = []string{"include/b.h"}
	for _, rec := range []TargetRecord{
		full,
		{Name: "traced only", Traced: []string{"a.h"}},
		{Name: "probed only", Probed: []string{"inc/x.h"}},
	} {
		body := encodeBody(func(b []byte) []byte { return appendTargetBody(b, &rec) })
		if _, err := readEntry(body); err != nil {
			t.Fatalf("readEntry of %s: %v", rec.Name, err)
		}
		got, err := decodeTarget(body)
		if err != nil {
			t.Fatalf("%s: %v", rec.Name, err)
		}
		if !reflect.DeepEqual(got, rec) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", rec.Name, got, rec)
		}
	}
}

// TestCheckNamesTracedInputs: a change of an input that the last run's
// trace found is named as such.
func TestCheckNamesTracedInputs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		record func(*TargetRecord)
		edit   func(fx *checkFixture)
		want   string
	}{
		{"traced input changed", func(r *TargetRecord) { r.Traced = []string{"src/b.c"} },
			func(fx *checkFixture) { fx.a.Inputs[1].Hash = HashBytes([]byte("edited")) }, "traced input src/b.c changed"},
		{"traced input removed", func(r *TargetRecord) { r.Traced = []string{"src/b.c"} },
			func(fx *checkFixture) { fx.a.Inputs = fx.a.Inputs[:1] }, "traced input src/b.c removed"},
		{"probed path created", func(r *TargetRecord) { r.Probed = []string{"src/b.c"} },
			func(fx *checkFixture) { fx.a.Inputs[1].Hash = HashBytes([]byte("now there")) }, "traced probe src/b.c now exists"},
		{"declared input", func(r *TargetRecord) { r.Traced = []string{"src/b.c"} },
			func(fx *checkFixture) { fx.a.Inputs[0].Hash = HashBytes([]byte("edited")) }, "input src/a.c changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newCheckFixture(t, tc.record)
			tc.edit(fx)
			if got := fx.s.Check(fx.name, fx.a, fx.a.Key(), fx.outputs).String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if AbsentHash() != AbsentHash() || AbsentHash().IsZero() {
		t.Error("AbsentHash is not a fixed non-zero hash")
	}
}
