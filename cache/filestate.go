package cache

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// FileState is what gobuildj remembers of a file: its stat fingerprint and
// the hash of its content when that fingerprint was taken.
type FileState struct {
	Size    int64
	MtimeNs int64
	CtimeNs int64
	Inode   uint64
	Hash    Hash
	// Racy is set when the file's mtime or ctime was not clearly older
	// than the moment it was hashed: a write in the same timestamp tick could have
	// changed the content without changing the fingerprint (git's "racy
	// git" problem), so the fingerprint must not be trusted next time.
	Racy bool
}

// racySlack is how close to the moment of hashing an mtime may be before the
// fingerprint is distrusted. Kernel file timestamps come from a coarse clock
// that lags the fine clock by up to a scheduler tick (4 ms at HZ=250, 10 ms at
// HZ=100), so the slack covers a few ticks.
const racySlack = 50 * time.Millisecond

// SameFingerprint reports whether a and b have the same stat fingerprint
// (size, mtime, ctime, inode), ignoring hashes.
func (a FileState) SameFingerprint(b FileState) bool {
	return a.Size == b.Size && a.MtimeNs == b.MtimeNs && a.CtimeNs == b.CtimeNs && a.Inode == b.Inode
}

// StatFile returns the stat fingerprint of path, with a zero Hash. A missing
// file gives an error that wraps os.ErrNotExist.
func StatFile(path string) (FileState, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return FileState{}, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	return fingerprintOf(&st), nil
}

func fingerprintOf(st *unix.Stat_t) FileState {
	return FileState{
		Size:    st.Size,
		MtimeNs: st.Mtim.Nano(),
		CtimeNs: st.Ctim.Nano(),
		Inode:   st.Ino,
	}
}

// Fingerprint hashes the file at path and returns its complete state. The
// stat is taken from the open descriptor before reading, so the fingerprint
// never describes newer content than the hash.
func Fingerprint(path string) (FileState, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return FileState{}, fmt.Errorf("fingerprint %s: %w", path, err)
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return FileState{}, fmt.Errorf("fingerprint %s: fstat: %w", path, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return FileState{}, fmt.Errorf("fingerprint %s: is a directory, expected a file", path)
	}
	fs := fingerprintOf(&st)
	h, err := hashOpenFile(f, st.Size)
	if err != nil {
		return FileState{}, err
	}
	fs.Hash = h
	fs.Racy = isRacy(fs, start)
	return fs, nil
}

// isRacy reports whether a fingerprint taken at hashedAt can hide a later
// write: its mtime or ctime is within racySlack of (or after) hashedAt.
func isRacy(fs FileState, hashedAt time.Time) bool {
	limit := hashedAt.Add(-racySlack).UnixNano()
	return fs.MtimeNs >= limit || fs.CtimeNs >= limit
}
