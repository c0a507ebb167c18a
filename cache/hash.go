// Package cache decides what can be skipped: content hashing with a stat
// fast path, action keys, and the state store kept under .gobuildj/.
package cache

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"

	"github.com/zeebo/xxh3"
	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/fileid"
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

// HashFile returns the xxh3-128 digest of the file at path, which must be a
// regular file (see fileid.OpenRegular).
func HashFile(path string) (Hash, error) {
	f, st, err := fileid.OpenRegular(path)
	if err != nil {
		return Hash{}, fmt.Errorf("hash: %w", err)
	}
	defer f.Close()
	return hashOpenFile(f, st.Size)
}

// smallBufs recycles the buffers small files are read into, so that
// rehashing thousands of sources does not churn the garbage collector. A
// pool is a cache of scratch memory, not program state.
var smallBufs = sync.Pool{New: func() any {
	b := make([]byte, mmapThreshold)
	return &b
}}

// errShrank reports a mapped file that lost bytes while being hashed.
var errShrank = errors.New("the file shrank while being hashed (is something writing it?)")

// hashOpenFile hashes the size bytes of f: small files are read whole, big
// ones mapped and hashed in one shot (the fastest way in the performance
// budget), falling back to streaming if mmap is refused (e.g. a pipe).
func hashOpenFile(f *os.File, size int64) (Hash, error) {
	if size >= mmapThreshold && size == int64(int(size)) {
		data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
		if err == nil {
			h, herr := hashMapped(data)
			if err := unix.Munmap(data); err != nil {
				return Hash{}, fmt.Errorf("hash %s: munmap: %w", f.Name(), err)
			}
			if herr != nil {
				return Hash{}, fmt.Errorf("hash %s: %w", f.Name(), herr)
			}
			return h, nil
		}
	}
	if size < mmapThreshold {
		bp := smallBufs.Get().(*[]byte)
		defer smallBufs.Put(bp)
		// One byte more than the size tells a file that grew since fstat.
		buf := (*bp)[:size+1]
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

// hashMapped hashes a mapped file. Touching a page past the end of a file
// that was truncated after mmap raises SIGBUS, which would crash the whole
// process; SetPanicOnFault turns it into a panic recovered here.
func hashMapped(data []byte) (h Hash, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault {
				panic(r)
			}
			h, err = Hash{}, errShrank
		}
	}()
	return HashBytes(data), nil
}
