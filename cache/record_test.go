package cache

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleRecord is a target record with every field set.
func sampleRecord(name string) TargetRecord {
	return TargetRecord{
		Name:     name,
		Key:      HashBytes([]byte("key " + name)),
		CmdHash:  HashBytes([]byte("cmd " + name)),
		DepsHash: HashBytes([]byte("deps " + name)),
		Inputs: []PathHash{
			{Path: "src/a.c", Hash: HashBytes([]byte("a"))},
			{Path: "/usr/include/stdio.h", Hash: HashBytes([]byte("stdio"))},
		},
		DepOutputs: []PathHash{{Path: "gen/v.h", Hash: HashBytes([]byte("v"))}},
		Outputs: []PathState{
			{Path: "build/" + name + ".o", State: FileState{Size: 1234, MtimeNs: 1700000000123456789, CtimeNs: 1700000000987654321, Inode: 1 << 40, Hash: HashBytes([]byte("o")), Racy: true}},
			{Path: "build/old", State: FileState{Size: 0, MtimeNs: -5, CtimeNs: 0, Inode: 7}},
		},
		Duration:   1500 * time.Millisecond,
		Finished:   time.Unix(0, 1700000001000000042),
		Discovered: []string{"/usr/include/stdio.h", "include/a.h"},
		Depfile:    "build/" + name + ".o.d",
	}
}

func encodeBody(f func([]byte) []byte) string { return string(f(nil)) }

func TestRecordRoundTrip(t *testing.T) {
	full := sampleRecord("app")
	empty := TargetRecord{Name: "alias"} // nil slices, zero times stay zero
	for _, rec := range []TargetRecord{full, empty} {
		body := encodeBody(func(b []byte) []byte { return appendTargetBody(b, &rec) })
		if e, err := readEntry(body); err != nil || e.kind != kindTarget || e.name != rec.Name {
			t.Fatalf("readEntry of target %s: %+v, %v", rec.Name, e, err)
		}
		got, err := decodeTarget(body)
		if err != nil {
			t.Fatalf("%s: %v", rec.Name, err)
		}
		if !reflect.DeepEqual(got, rec) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", rec.Name, got, rec)
		}
		v, err := viewTarget(body)
		if err != nil || v.key != rec.Key || v.outputs != len(rec.Outputs) {
			t.Fatalf("viewTarget of %s: %+v, %v", rec.Name, v, err)
		}
		for _, o := range rec.Outputs {
			if path, st := v.next(); path != o.Path || st != o.State {
				t.Errorf("view of %s: output %s %+v, want %s %+v", rec.Name, path, st, o.Path, o.State)
			}
		}
	}

	e, err := readEntry(encodeBody(func(b []byte) []byte { return appendTombstoneBody(b, "gone") }))
	if err != nil || e.kind != kindTombstone || e.name != "gone" {
		t.Errorf("tombstone: %+v, %v", e, err)
	}

	st := full.Outputs[0].State
	e, err = readEntry(encodeBody(func(b []byte) []byte { return appendFileBody(b, "src/a.c", &st) }))
	if err != nil || e.kind != kindFile || e.name != "src/a.c" || e.file != st {
		t.Errorf("file: %+v, %v", e, err)
	}
}

// TestDecodeRejectsDamage: a body cut at any length, with bytes after it, or
// of an unknown kind never decodes (nor panics). The one exception is a
// body cut where its optional trailing fields begin: it reads as a record
// without them, which is what a record written before they existed is.
func TestDecodeRejectsDamage(t *testing.T) {
	rec := sampleRecord("app")
	body := encodeBody(func(b []byte) []byte { return appendTargetBody(b, &rec) })
	old := rec
	old.Discovered, old.Depfile = nil, ""
	oldLen := len(encodeBody(func(b []byte) []byte { return appendTargetBody(b, &old) }))
	for n := 0; n < len(body); n++ {
		if n == oldLen {
			if got, err := decodeTarget(body[:n]); err != nil || !reflect.DeepEqual(got, old) {
				t.Errorf("a record without its trailing fields: %+v, %v", got, err)
			}
			continue
		}
		if _, err := readEntry(body[:n]); err == nil {
			t.Fatalf("readEntry: a body cut to %d of %d bytes decoded", n, len(body))
		}
		if _, err := decodeTarget(body[:n]); err == nil {
			t.Fatalf("decodeTarget: a body cut to %d of %d bytes decoded", n, len(body))
		}
	}
	for _, bad := range []string{body + "x", "\x09abc", ""} {
		if _, err := readEntry(bad); err == nil || !strings.Contains(err.Error(), "does not decode") {
			t.Errorf("readEntry(%q...) err = %v", bad[:min(len(bad), 8)], err)
		}
	}
	// A huge list length must be refused before allocating.
	huge := string([]byte{kindTarget, 0}) + strings.Repeat("\x00", 48) + "\xff\xff\xff\xff\x0f"
	if _, err := decodeTarget(huge); err == nil {
		t.Error("a list length beyond the body decoded")
	}
}

func FuzzReadEntry(f *testing.F) {
	rec := sampleRecord("app")
	f.Add([]byte(encodeBody(func(b []byte) []byte { return appendTargetBody(b, &rec) })))
	f.Add([]byte(encodeBody(func(b []byte) []byte { return appendTombstoneBody(b, "x") })))
	f.Add([]byte(encodeBody(func(b []byte) []byte { return appendFileBody(b, "x", &rec.Outputs[0].State) })))
	f.Fuzz(func(t *testing.T, data []byte) {
		body := string(data)
		e, err := readEntry(body)
		if err != nil || e.kind != kindTarget {
			return
		}
		// A body readEntry accepts decodes, views and survives a round trip.
		rec, err := decodeTarget(body)
		if err != nil {
			t.Fatalf("readEntry accepted what decodeTarget refuses: %v", err)
		}
		v, err := viewTarget(body)
		if err != nil || v.key != rec.Key || v.outputs != len(rec.Outputs) {
			t.Fatalf("viewTarget: %+v, %v", v, err)
		}
		again, err := decodeTarget(string(appendTargetBody(nil, &rec)))
		if err != nil || !reflect.DeepEqual(again, rec) {
			t.Errorf("round trip of %+v gives %+v, %v", rec, again, err)
		}
	})
}

func TestRecordRoundTripManifestExtra(t *testing.T) {
	for _, rec := range []TargetRecord{
		func() TargetRecord {
			r := sampleRecord("full")
			r.CmdText = &CmdText{Cmds: []string{"cc -c a.c", "ar r a.a a.o"}, Env: []string{"LANG=C"}, Dir: "sub"}
			r.EnvValues = []string{"CFLAGS=-O2"}
			return r
		}(),
		{Name: "text only", CmdText: &CmdText{Cmds: []string{"true"}}},
		{Name: "env only", EnvValues: []string{"A=1"}},
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

func TestShowableEnv(t *testing.T) {
	for _, c := range []struct {
		name, value string
		want        bool
	}{
		{"CFLAGS", "-O2", true},
		{"API_TOKEN", "x", false},
		{"aws_secret_access_key", "x", false},
		{"DB_PASSWORD", "x", false},
		{"LONG", strings.Repeat("x", MaxShownEnvValue+1), false},
		{"MULTI", "a\nb", false},
	} {
		if got := ShowableEnv(c.name, c.value); got != c.want {
			t.Errorf("ShowableEnv(%q, %q) = %v, want %v", c.name, c.value, got, c.want)
		}
	}
}
