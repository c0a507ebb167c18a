package wire

import (
	"encoding/binary"
	"testing"
)

func TestReaderReadsWhatEncodingBinaryWrites(t *testing.T) {
	var b []byte
	b = append(b, 7, 1)
	b = binary.AppendUvarint(b, 300)
	b = binary.AppendVarint(b, -5)
	b = binary.LittleEndian.AppendUint64(b, 0x0102030405060708)
	b = binary.AppendUvarint(b, 5)
	b = append(b, "hello"...)
	b = binary.AppendUvarint(b, 1<<63)
	r := NewReader(string(b))
	if got := r.Byte(); got != 7 {
		t.Errorf("Byte = %d", got)
	}
	if !r.Bool() {
		t.Error("Bool = false")
	}
	if got := r.Uvarint(); got != 300 {
		t.Errorf("Uvarint = %d", got)
	}
	if got := r.Varint(); got != -5 {
		t.Errorf("Varint = %d", got)
	}
	if got := r.Fixed64(); got != 0x0102030405060708 {
		t.Errorf("Fixed64 = %#x", got)
	}
	if got := r.Str(); got != "hello" {
		t.Errorf("Str = %q", got)
	}
	if got := r.Uvarint(); got != 1<<63 {
		t.Errorf("Uvarint = %d, want 1<<63", got)
	}
	if r.Bad() || r.Len() != 0 {
		t.Errorf("bad %v, %d bytes left", r.Bad(), r.Len())
	}
}

func TestReaderFailsAndStaysFailed(t *testing.T) {
	cases := []struct {
		name string
		data string
		read func(r *Reader)
	}{
		{"byte of nothing", "", func(r *Reader) { r.Byte() }},
		{"varint cut short", "\x80\x80", func(r *Reader) { r.Uvarint() }},
		{"varint over 64 bits", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", func(r *Reader) { r.Uvarint() }},
		{"varint of 11 bytes", "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", func(r *Reader) { r.Uvarint() }},
		{"fixed64 of 7 bytes", "1234567", func(r *Reader) { r.Fixed64() }},
		{"string longer than the rest", "\x05abc", func(r *Reader) { r.Str() }},
		{"count that cannot fit", "\x03ab", func(r *Reader) { r.Count(1) }},
		{"count of 16-byte items", "\x02" + string(make([]byte, 20)), func(r *Reader) { r.Count(16) }},
		{"take past the end", "ab", func(r *Reader) { r.Take(3) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(c.data)
			c.read(&r)
			if !r.Bad() {
				t.Fatal("not bad")
			}
			// Every later read gives zero values.
			if r.Byte() != 0 || r.Uvarint() != 0 || r.Str() != "" || r.Fixed64() != 0 || r.Len() != 0 {
				t.Error("a read after a failure returned something")
			}
		})
	}
}

func TestReaderCountWithinTheRest(t *testing.T) {
	r := NewReader("\x02" + string(make([]byte, 32)))
	if n := r.Count(16); n != 2 || r.Bad() {
		t.Errorf("Count(16) = %d, bad %v; want 2", n, r.Bad())
	}
	if got := r.Take(32); len(got) != 32 || r.Len() != 0 {
		t.Errorf("Take(32) = %d bytes, %d left", len(got), r.Len())
	}
}
