package wire

import (
	"encoding/hex"
	"math"
	"testing"
)

// TestWriterBytes pins the bytes of every field: the formats built of them
// are read by later builds.
func TestWriterBytes(t *testing.T) {
	cases := []struct {
		name string
		got  []byte
		want string
	}{
		{"uvarint 0", AppendUvarint(nil, 0), "00"},
		{"uvarint 300", AppendUvarint(nil, 300), "ac02"},
		{"uvarint max", AppendUvarint(nil, math.MaxUint64), "ffffffffffffffffff01"},
		{"varint -1", AppendVarint(nil, -1), "01"},
		{"varint 64", AppendVarint(nil, 64), "8001"},
		{"fixed32", AppendFixed32(nil, 0x01020304), "04030201"},
		{"fixed64", AppendFixed64(nil, 0x0102030405060708), "0807060504030201"},
		{"true", AppendBool(nil, true), "01"},
		{"false", AppendBool(nil, false), "00"},
		{"string", AppendString(nil, "hé"), "0368c3a9"},
		{"empty string", AppendString(nil, ""), "00"},
		{"bytes", AppendBytes(nil, []byte{0, 1}), "020001"},
		{"strings", AppendStrings(nil, []string{"a", "", "bc"}), "030161000262" + "63"},
		{"no strings", AppendStrings(nil, nil), "00"},
		{"appends", AppendString([]byte{9}, "x"), "090178"},
	}
	for _, c := range cases {
		if h := hex.EncodeToString(c.got); h != c.want {
			t.Errorf("%s: %s, want %s", c.name, h, c.want)
		}
	}
	b := []byte{9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	PutFixed32(b[1:], 0x01020304)
	PutFixed64(b[5:], 0x0102030405060708)
	if h := hex.EncodeToString(b); h != "0904030201"+"0807060504030201" {
		t.Errorf("Put: %s", h)
	}
}

// TestWriterReaderRoundTrip reads back with Reader what the Append
// functions wrote.
func TestWriterReaderRoundTrip(t *testing.T) {
	var b []byte
	b = AppendUvarint(b, 1<<63)
	b = AppendVarint(b, math.MinInt64)
	b = AppendFixed32(b, math.MaxUint32)
	b = AppendFixed64(b, 42)
	b = AppendBool(b, true)
	b = AppendString(b, "hello")
	b = AppendBytes(b, []byte("raw"))
	b = AppendStrings(b, []string{"x", "yz"})
	r := NewReader(string(b))
	if got := r.Uvarint(); got != 1<<63 {
		t.Errorf("Uvarint = %d", got)
	}
	if got := r.Varint(); got != math.MinInt64 {
		t.Errorf("Varint = %d", got)
	}
	if got := r.Fixed32(); got != math.MaxUint32 {
		t.Errorf("Fixed32 = %d", got)
	}
	if got := r.Fixed64(); got != 42 {
		t.Errorf("Fixed64 = %d", got)
	}
	if !r.Bool() {
		t.Error("Bool = false")
	}
	if got := r.Str(); got != "hello" {
		t.Errorf("Str = %q", got)
	}
	if got := r.Str(); got != "raw" {
		t.Errorf("Str of bytes = %q", got)
	}
	if n := r.Count(1); n != 2 || r.Str() != "x" || r.Str() != "yz" {
		t.Errorf("strings: count %d", n)
	}
	if r.Bad() || r.Len() != 0 {
		t.Errorf("bad %v, %d bytes left", r.Bad(), r.Len())
	}
}

func TestFixedAt(t *testing.T) {
	b := AppendFixed64(AppendFixed32(nil, 0xdeadbeef), 0x0102030405060708)
	if got := Fixed32At(b); got != 0xdeadbeef {
		t.Errorf("Fixed32At of bytes = %#x", got)
	}
	if got := Fixed32At(string(b)); got != 0xdeadbeef {
		t.Errorf("Fixed32At of a string = %#x", got)
	}
	if got := Fixed64At(b[4:]); got != 0x0102030405060708 {
		t.Errorf("Fixed64At of bytes = %#x", got)
	}
	if got := Fixed64At(string(b[4:])); got != 0x0102030405060708 {
		t.Errorf("Fixed64At of a string = %#x", got)
	}
	r := NewReader("\x01\x02")
	if r.Fixed32() != 0 || !r.Bad() {
		t.Error("Fixed32 of 2 bytes did not fail")
	}
}
