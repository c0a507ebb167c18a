package reapi

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/remote"
)

// A system file's digest is taken once while the file stays as it was, and
// never kept for a file written as it was hashed.
func TestSystemDigests(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cc1")
	if err := os.WriteFile(p, []byte("v1"), 0o755); err != nil {
		t.Fatal(err)
	}
	in := Input{Path: p, Digest: remote.DigestOf([]byte("v1")), Executable: true}
	var s systemDigests
	s.remember([]Input{in}, time.Now())
	if got := s.known([]string{p}, nil); got != nil {
		t.Fatalf("a file stamped as it was hashed was kept: %v", got)
	}
	time.Sleep(fileid.RacySlack + 10*time.Millisecond)
	s.remember([]Input{in, {Path: "include/a.h"}}, time.Now())
	if got := s.known([]string{p, "include/a.h"}, nil); len(got) != 1 || got[p] != in {
		t.Fatalf("known %v, want the system file alone", got)
	}
	if err := os.WriteFile(p, []byte("v2"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := s.known([]string{p}, nil); got != nil {
		t.Fatalf("a changed file's digest was kept: %v", got)
	}
}
