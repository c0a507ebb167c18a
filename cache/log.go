package cache

import (
	"fmt"

	"github.com/zeebo/xxh3"

	"github.com/gobuildj/gobuildj/internal/wire"
)

// The state log is a header followed by records, appended and never
// rewritten in place (compaction writes a new file and renames it over):
//
//	header: "GOBUILDJ" | u32 version
//	record: u32 body length | u64 xxh3-64 of body | body
//
// Integers in the framing are little-endian; a body is a kind byte and its
// fields (see record.go). Any prefix of intact records is a sound state: a
// record only ever states a fact about one run or one file, so losing later
// records makes targets rebuild, never wrongly skip. That is why a load stops
// at the first record that is cut short or fails its checksum.
const (
	logMagic      = "GOBUILDJ"
	logVersion    = 1
	headerSize    = len(logMagic) + 4
	frameSize     = 4 + 8
	maxRecordSize = 64 << 20 // far above any real record: a larger length is corruption
)

// appendHeader appends the log header to b.
func appendHeader(b []byte) []byte {
	b = append(b, logMagic...)
	return wire.AppendFixed32(b, logVersion)
}

// headerProblem tells why data does not start with a header this version
// reads, or "" if it does. torn is true when data is only the beginning of a
// valid header (a log whose creation was interrupted): an empty log.
func headerProblem(data []byte) (problem string, torn bool) {
	want := appendHeader(nil)
	if len(data) < headerSize {
		if string(data) == string(want[:len(data)]) {
			return "", true
		}
		return "it is not a gobuildj state log (bad magic)", false
	}
	if string(data[:len(logMagic)]) != logMagic {
		return "it is not a gobuildj state log (bad magic)", false
	}
	if v := wire.Fixed32At(data[len(logMagic):]); v != logVersion {
		return fmt.Sprintf("it was written by another version of gobuildj (format %d; this one reads format %d)", v, logVersion), false
	}
	return "", false
}

// beginRecord reserves the frame of a record at the end of b; the body is
// appended after it and endRecord(b, start) fills the frame in.
func beginRecord(b []byte) (out []byte, start int) {
	start = len(b)
	return append(b, make([]byte, frameSize)...), start
}

// endRecord fills in the frame of the record begun at start.
func endRecord(b []byte, start int) []byte {
	body := b[start+frameSize:]
	wire.PutFixed32(b[start:], uint32(len(body)))
	wire.PutFixed64(b[start+4:], xxh3.Hash(body))
	return b
}

// scanRecords calls apply with each record body of recs (the log after its
// header) and stops at the first damaged one: cut short, failing its
// checksum, or refused by apply. It returns the length of the intact prefix
// and, if that is not all of recs, what is wrong after it.
func scanRecords(recs string, apply func(body string) error) (good int, damage string) {
	for off := 0; off < len(recs); {
		rest := recs[off:]
		if len(rest) < frameSize {
			return off, "a record frame is cut short"
		}
		n := uint64(wire.Fixed32At(rest))
		sum := wire.Fixed64At(rest[4:])
		if n == 0 || n > maxRecordSize {
			return off, fmt.Sprintf("a record has an impossible length %d", n)
		}
		if uint64(len(rest)-frameSize) < n {
			return off, "the last record is cut short"
		}
		body := rest[frameSize : frameSize+int(n)]
		if xxh3.HashString(body) != sum {
			return off, "a record fails its checksum"
		}
		if err := apply(body); err != nil {
			return off, err.Error()
		}
		off += frameSize + int(n)
	}
	return len(recs), ""
}

// countKinds counts the target and file records at the start of recs (an
// upper bound of the entries a load keeps), so that the maps are made at
// their final size. It trusts the frames: scanRecords checks them.
func countKinds(recs string) (targets, files int) {
	for off := 0; off+frameSize < len(recs); {
		n := int(wire.Fixed32At(recs[off:]))
		if n == 0 || n > len(recs)-off-frameSize {
			break
		}
		switch recs[off+frameSize] {
		case kindTarget:
			targets++
		case kindFile:
			files++
		}
		off += frameSize + n
	}
	return targets, files
}

// describeDamage words a damaged log tail for a warning; verb says what
// was done with it ("dropped", or "ignored" by a read-only store).
func describeDamage(path, verb string, offset, length int, damage string) string {
	return fmt.Sprintf("state %s: %s its last %d bytes, from offset %d, because %s (a build was probably killed while writing them); the targets recorded there will rebuild",
		path, verb, length, offset, damage)
}
