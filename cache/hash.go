// Package cache decides what can be skipped: content hashing with a stat
// fast path, action keys, and the state store kept under .gobuildj/.
package cache

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/zeebo/xxh3"
	"golang.org/x/sys/unix"
)

// Hash is an xxh3-128 digest of a file's content or of an action.
type Hash [16]byte

// String returns h as 32 lowercase hex digits.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the zero Hash (never a real digest in practice).
func (h Hash) IsZero() bool { return h == Hash{} }

// HashBytes returns the xxh3-128 digest of b.
func HashBytes(b []byte) Hash { return fromUint128(xxh3.Hash128(b)) }

func fromUint128(u xxh3.Uint128) Hash { return Hash(u.Bytes()) }

// mmapThreshold is the size from which HashFile maps a file instead of
// reading it: below it a read(2) into a pooled buffer is cheaper than the
// mmap/munmap pair.
const mmapThreshold = 64 << 10

// HashFile returns the xxh3-128 digest of the file at path.
func HashFile(path string) (Hash, error) {
	f, err := os.Open(path)
	if err != nil {
		return Hash{}, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Hash{}, fmt.Errorf("hash %s: %w", path, err)
	}
	return hashOpenFile(f, fi.Size())
}

// hashOpenFile hashes the size bytes of f: small files are read whole, big
// ones mapped and hashed in one shot (the fastest way in the performance
// budget), falling back to streaming if mmap is refused (e.g. a pipe).
func hashOpenFile(f *os.File, size int64) (Hash, error) {
	if size >= mmapThreshold && size == int64(int(size)) {
		data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
		if err == nil {
			h := HashBytes(data)
			if err := unix.Munmap(data); err != nil {
				return Hash{}, fmt.Errorf("hash %s: munmap: %w", f.Name(), err)
			}
			return h, nil
		}
	}
	if size < mmapThreshold {
		buf := make([]byte, size+1)
		n, err := io.ReadFull(f, buf)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return HashBytes(buf[:n]), nil
		}
		if err != nil {
			return Hash{}, fmt.Errorf("hash %s: %w", f.Name(), err)
		}
		// The file grew while we read it: hash it by streaming.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return Hash{}, fmt.Errorf("hash %s: %w", f.Name(), err)
		}
	}
	h := xxh3.New128()
	if _, err := io.CopyBuffer(h, f, make([]byte, 1<<20)); err != nil {
		return Hash{}, fmt.Errorf("hash %s: %w", f.Name(), err)
	}
	return fromUint128(h.Sum128()), nil
}
