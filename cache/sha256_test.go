package cache

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

func TestSHA256TableHashesOncePerChange(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(path, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	// An mtime clearly in the past, so the entry is not racy.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(path, old, old)
	time.Sleep(2 * fileid.RacySlack) // so that the change of ctime is not racy

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, size, exec, err := s.Digests().SHA256("a.txt")
	if err != nil || sum != sha256.Sum256([]byte("one")) || size != 3 || exec {
		t.Fatalf("SHA256 = %x %d %v %v", sum, size, exec, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A new store reads the table: the remembered sum is trusted while the
	// fingerprint holds. Make that visible by corrupting the remembered
	// sum on disk, which only a cached answer would return.
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := s2.Digests()
	d.mu.Lock()
	d.loadLocked()
	e, ok := d.entries["a.txt"]
	if !ok {
		d.mu.Unlock()
		t.Fatal("the table did not keep a.txt")
	}
	e.sum[0] ^= 0xff
	d.entries["a.txt"] = e
	d.mu.Unlock()
	if sum, _, _, _ := d.SHA256(path); sum != e.sum {
		t.Fatal("an unchanged file was hashed again")
	}

	// A change of content (and so of fingerprint) or of the executable
	// bit is hashed again.
	if err := os.WriteFile(path, []byte("two!"), 0o644); err != nil {
		t.Fatal(err)
	}
	if sum, _, _, _ := d.SHA256(path); sum != sha256.Sum256([]byte("two!")) {
		t.Fatal("a changed file kept its old SHA-256")
	}
	os.Chtimes(path, old, old)
	time.Sleep(2 * fileid.RacySlack) // so that the change of ctime is not racy
	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, exec, _ := d.SHA256(path); !exec {
		t.Fatal("the executable bit was not seen")
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}

	// A damaged tail is dropped, and what comes before it kept.
	log := statedir.Of(dir).SHA256Table()
	f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte{1, 2, 3})
	f.Close()
	s3, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	if sum, _, _, err := s3.Digests().SHA256(path); err != nil || sum != sha256.Sum256([]byte("two!")) {
		t.Fatalf("after a torn tail: %x %v", sum, err)
	}
}

func TestSHA256TableRemember(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	if err := os.WriteFile(path, []byte("built"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(path, old, old)
	time.Sleep(2 * fileid.RacySlack) // so that the change of ctime is not racy
	st, err := Fingerprint(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fake := sha256.Sum256([]byte("what the worker said"))
	s.Digests().Remember(path, st, fake)
	if sum, _, _, _ := s.Digests().SHA256(path); sum != fake {
		t.Fatal("a remembered SHA-256 was not used")
	}
	os.WriteFile(path, []byte("rebuilt"), 0o644)
	stale := st
	s.Digests().Remember(path, stale, fake) // the file changed since st: ignored
	if sum, _, _, _ := s.Digests().SHA256(path); sum != sha256.Sum256([]byte("rebuilt")) {
		t.Fatal("a stale Remember was kept")
	}
}
