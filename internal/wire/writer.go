package wire

import "encoding/binary"

// The Append functions append one field to b and return the extended
// slice, as append does; Reader has the matching read of each.

// AppendUvarint appends x as an unsigned varint (read by Reader.Uvarint).
func AppendUvarint(b []byte, x uint64) []byte { return binary.AppendUvarint(b, x) }

// AppendVarint appends x as a signed, zig-zag varint (Reader.Varint).
func AppendVarint(b []byte, x int64) []byte { return binary.AppendVarint(b, x) }

// AppendFixed32 appends x as 4 little-endian bytes (Reader.Fixed32).
func AppendFixed32(b []byte, x uint32) []byte { return binary.LittleEndian.AppendUint32(b, x) }

// AppendFixed64 appends x as 8 little-endian bytes (Reader.Fixed64).
// Nanosecond times take 9 bytes as varints: fixed 8 are smaller.
func AppendFixed64(b []byte, x uint64) []byte { return binary.LittleEndian.AppendUint64(b, x) }

// AppendBool appends a byte that is 1 for true and 0 for false
// (Reader.Bool).
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// AppendString appends s prefixed with its length as an unsigned varint
// (Reader.Str).
func AppendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// AppendBytes appends p prefixed with its length, as AppendString does.
func AppendBytes(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

// AppendStrings appends the number of strings as an unsigned varint, then
// each string as AppendString does.
func AppendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = AppendString(b, s)
	}
	return b
}

// PutFixed32 writes x as 4 little-endian bytes at the start of b: to fill
// in a length reserved before the bytes it counts were appended.
func PutFixed32(b []byte, x uint32) { binary.LittleEndian.PutUint32(b, x) }

// PutFixed64 writes x as 8 little-endian bytes at the start of b.
func PutFixed64(b []byte, x uint64) { binary.LittleEndian.PutUint64(b, x) }
