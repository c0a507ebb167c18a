// Package wire is the one owner of gobuildj's compact binary encodings: the
// state log's records and the SHA-256 table (cache), the graph snapshot
// (graph), and the Job and Result frames that cross to workers (worker).
// They are built of the same few fields: varints (encoding/binary's),
// little-endian fixed-size integers, bytes that are 1 for true, and
// length-prefixed strings. The Append functions write them; Reader reads
// them back from a string that may be a memory-mapped file, without
// copying.
package wire

import (
	"encoding/binary"
	"unsafe"
)

// Reader reads fields from the front of a string. The first read that runs
// past the end (or a varint that overflows 64 bits) marks it bad and makes
// every later read return zero values, so that a decoder checks Bad once,
// at the end, instead of after every field.
type Reader struct {
	s   string
	bad bool
}

// NewReader returns a Reader of s.
func NewReader(s string) Reader { return Reader{s: s} }

// Bad reports whether a read failed.
func (r *Reader) Bad() bool { return r.bad }

// Len is how many bytes are left.
func (r *Reader) Len() int { return len(r.s) }

// Rest returns the bytes left, without reading them.
func (r *Reader) Rest() string { return r.s }

// Fail marks the Reader bad, as a read past the end does: for a decoder
// that finds a value it cannot accept.
func (r *Reader) Fail() { r.bad, r.s = true, "" }

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.s) < 1 {
		r.Fail()
		return 0
	}
	c := r.s[0]
	r.s = r.s[1:]
	return c
}

// Bool reads a byte that is 1 for true.
func (r *Reader) Bool() bool { return r.Byte() == 1 }

// Uvarint reads an unsigned varint (encoding/binary's).
func (r *Reader) Uvarint() uint64 {
	if len(r.s) > 0 && r.s[0] < 0x80 { // most lengths and counts: inlined
		x := uint64(r.s[0])
		r.s = r.s[1:]
		return x
	}
	return r.uvarintSlow()
}

func (r *Reader) uvarintSlow() uint64 {
	var x uint64
	var shift uint
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		c := r.s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflows 64 bits
			}
			r.s = r.s[i+1:]
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	r.Fail()
	return 0
}

// Varint reads a signed (zig-zag) varint.
func (r *Reader) Varint() int64 {
	ux := r.Uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

// Fixed32 reads a little-endian uint32.
func (r *Reader) Fixed32() uint32 {
	if len(r.s) < 4 {
		r.Fail()
		return 0
	}
	x := Fixed32At(r.s)
	r.s = r.s[4:]
	return x
}

// Fixed64 reads a little-endian uint64.
func (r *Reader) Fixed64() uint64 {
	if len(r.s) < 8 {
		r.Fail()
		return 0
	}
	x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(r.s), 8))
	r.s = r.s[8:]
	return x
}

// Count reads a list length, refusing one that could not fit in the rest
// given that each element takes at least minSize bytes (so that a corrupt
// length never makes a huge allocation).
func (r *Reader) Count(minSize int) int {
	n := r.Uvarint()
	if n > uint64(len(r.s)/minSize) {
		r.Fail()
		return 0
	}
	return int(n)
}

// Str reads a length-prefixed string. It shares the Reader's memory.
func (r *Reader) Str() string {
	return r.Take(r.Uvarint())
}

// Take reads the next n bytes as they are. It shares the Reader's memory.
func (r *Reader) Take(n uint64) string {
	if n > uint64(len(r.s)) {
		r.Fail()
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

// Fixed32At decodes the little-endian uint32 at the start of s, which must
// hold at least 4 bytes: for a frame whose length is checked already.
func Fixed32At[S ~string | ~[]byte](s S) uint32 {
	_ = s[3] // one bounds check; the compiler merges the loads
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// Fixed64At decodes the little-endian uint64 at the start of s, which must
// hold at least 8 bytes.
func Fixed64At[S ~string | ~[]byte](s S) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
