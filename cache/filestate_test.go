package cache

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/fileid"
)

func TestStatFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a")
	writeFile(t, path, []byte("12345"))
	st, err := StatFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size != 5 || st.MtimeNs == 0 || st.CtimeNs == 0 || st.Inode == 0 || !st.Hash.IsZero() {
		t.Errorf("StatFile = %+v, want size 5, times, inode and no hash", st)
	}
	if _, err := StatFile(filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want ErrNotExist", err)
	}
}

// TestFingerprintRacy: a file hashed right after it was written cannot be
// trusted by its stat next time; one whose timestamps are clearly older
// than the hashing can.
func TestFingerprintRacy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a")
	st := quickly(t, func() (FileState, error) {
		writeFile(t, path, []byte("fresh"))
		return Fingerprint(path)
	})
	if !st.Racy {
		t.Errorf("a file written just now must be racy: %+v", st)
	}
	if st.Hash != HashBytes([]byte("fresh")) {
		t.Errorf("hash = %s, want the content's", st.Hash)
	}

	makeOld(t, path)
	st, err := Fingerprint(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Racy {
		t.Errorf("a file untouched for longer than the slack must not be racy: %+v", st)
	}
}

func TestFingerprintErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Fingerprint(filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: err = %v, want ErrNotExist", err)
	}
	if _, err := Fingerprint(dir); err == nil || !strings.Contains(err.Error(), "is a folder, not a regular file") {
		t.Errorf("directory: err = %v, want 'is a folder, not a regular file'", err)
	}
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Fingerprint(fifo); err == nil || !strings.Contains(err.Error(), "is a FIFO, not a regular file") {
		t.Errorf("FIFO: err = %v, want 'is a FIFO, not a regular file'", err)
	}
}

func TestSameFingerprint(t *testing.T) {
	a := FileState{Size: 1, MtimeNs: 2, CtimeNs: 3, Inode: 4, Hash: HashBytes([]byte("x"))}
	b := a
	b.Hash, b.Racy = Hash{}, true
	if !a.SameFingerprint(b) {
		t.Error("hash and racy must not count")
	}
	for _, change := range []func(*FileState){
		func(s *FileState) { s.Size++ },
		func(s *FileState) { s.MtimeNs++ },
		func(s *FileState) { s.CtimeNs++ },
		func(s *FileState) { s.Inode++ },
	} {
		c := a
		change(&c)
		if a.SameFingerprint(c) {
			t.Errorf("%+v and %+v must differ", a, c)
		}
	}
}

// quickly runs writeAndHash, which writes a file and hashes it, until it
// took less than the racy slack: on a loaded machine a pause between the
// two would rightly make the file not racy.
func quickly(tb testing.TB, writeAndHash func() (FileState, error)) FileState {
	tb.Helper()
	for range 20 {
		start := time.Now()
		st, err := writeAndHash()
		if err != nil {
			tb.Fatal(err)
		}
		if time.Since(start) < fileid.RacySlack/2 {
			return st
		}
	}
	tb.Skip("the machine is too loaded to write and hash a file within the racy slack")
	return FileState{}
}

// makeOld sets path's mtime an hour back and waits until its ctime (which
// Chtimes sets to now) is older than the racy slack, so that the next
// Fingerprint is trusted.
func makeOld(tb testing.TB, path string) {
	tb.Helper()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		tb.Fatal(err)
	}
	time.Sleep(fileid.RacySlack + 20*time.Millisecond)
}
