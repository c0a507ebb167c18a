package cache

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/fileid"
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
	// than the moment it was hashed (see fileid.Fingerprint.Racy): the
	// fingerprint must not be trusted next time.
	Racy bool
}

// Fingerprint returns the stat fingerprint of s, without hash and racy flag.
func (s FileState) Fingerprint() fileid.Fingerprint {
	return fileid.Fingerprint{Size: s.Size, MtimeNs: s.MtimeNs, CtimeNs: s.CtimeNs, Inode: s.Inode}
}

// stateOf is the FileState of fingerprint fp, with a zero Hash.
func stateOf(fp fileid.Fingerprint) FileState {
	return FileState{Size: fp.Size, MtimeNs: fp.MtimeNs, CtimeNs: fp.CtimeNs, Inode: fp.Inode}
}

// SameFingerprint reports whether a and b have the same stat fingerprint
// (size, mtime, ctime, inode), ignoring hashes.
func (a FileState) SameFingerprint(b FileState) bool {
	return a.Fingerprint() == b.Fingerprint()
}

// StatFile returns the stat fingerprint of path, with a zero Hash. A missing
// file gives an error that wraps os.ErrNotExist.
func StatFile(path string) (FileState, error) {
	fp, err := fileid.Stat(path)
	if err != nil {
		return FileState{}, err
	}
	return stateOf(fp), nil
}

func fingerprintOf(st *unix.Stat_t) FileState { return stateOf(fileid.FromStat(st)) }

// Fingerprint hashes the file at path and returns its complete state. A
// path that is not a regular file (a FIFO, a device) is an error wrapping a
// *fileid.NotRegularError, and is never read. The
// stat is taken from the open descriptor before reading, so the fingerprint
// never describes newer content than the hash.
func Fingerprint(path string) (FileState, error) {
	start := time.Now()
	f, st, err := fileid.OpenRegular(path)
	if err != nil {
		return FileState{}, fmt.Errorf("fingerprint: %w", err)
	}
	defer f.Close()
	fs := fingerprintOf(&st)
	h, err := hashOpenFile(f, st.Size)
	if err != nil {
		return FileState{}, err
	}
	fs.Hash = h
	fs.Racy = fs.Fingerprint().Racy(start)
	return fs, nil
}
