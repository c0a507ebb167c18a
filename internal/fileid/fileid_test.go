package fileid

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestStatAndFromFileInfoAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Unix(1700000000, 123456789)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	fp, err := Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fp.Size != 5 || fp.MtimeNs != old.UnixNano() || fp.CtimeNs == 0 || fp.Inode == 0 {
		t.Errorf("Stat = %+v", fp)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := FromFileInfo(fi); !ok || got != fp {
		t.Errorf("FromFileInfo = %+v, %v; Stat gave %+v", got, ok, fp)
	}
	if err := os.WriteFile(path, []byte("hello, world"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, err := Stat(path); err != nil || again == fp {
		t.Errorf("a write did not change the fingerprint: %+v, %v", again, err)
	}
}

func TestStatMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing")
	_, err := Stat(path)
	var pe *os.PathError
	if !errors.Is(err, os.ErrNotExist) || !errors.As(err, &pe) || pe.Path != path || pe.Op != "stat" {
		t.Errorf("Stat of a missing file: %v", err)
	}
}

type noStat struct{ os.FileInfo }

func (noStat) Sys() any { return nil }

func TestFromFileInfoWithoutStat(t *testing.T) {
	if _, ok := FromFileInfo(noStat{}); ok {
		t.Error("a FileInfo without a stat gave a fingerprint")
	}
}

func TestRacy(t *testing.T) {
	at := time.Unix(1700000000, 0)
	ns := func(d time.Duration) int64 { return at.Add(d).UnixNano() }
	cases := []struct {
		name         string
		mtime, ctime int64
		racy         bool
	}{
		{"both long before", ns(-time.Hour), ns(-time.Hour), false},
		{"both just outside the slack", ns(-RacySlack - 1), ns(-RacySlack - 1), false},
		{"mtime at the edge of the slack", ns(-RacySlack), ns(-time.Hour), true},
		{"mtime within the slack", ns(-time.Millisecond), ns(-time.Hour), true},
		{"ctime within the slack", ns(-time.Hour), ns(-time.Millisecond), true},
		{"mtime after the record", ns(time.Second), ns(-time.Hour), true},
	}
	for _, c := range cases {
		fp := Fingerprint{Size: 1, MtimeNs: c.mtime, CtimeNs: c.ctime, Inode: 2}
		if got := fp.Racy(at); got != c.racy {
			t.Errorf("%s: Racy = %v, want %v", c.name, got, c.racy)
		}
		if got := RacyTime(c.mtime, at); got != (c.mtime >= ns(-RacySlack)) {
			t.Errorf("%s: RacyTime of the mtime = %v", c.name, got)
		}
	}
}

// TestRacyJustWritten is the case the rule exists for: a file written and
// fingerprinted at once is racy; the same fingerprint looked at later is
// not.
func TestRacyJustWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	fp, err := Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fp.Racy(now) {
		t.Errorf("a file written just now is not racy: %+v at %d", fp, now.UnixNano())
	}
	if fp.Racy(now.Add(2 * RacySlack)) {
		t.Error("the fingerprint is still racy when recorded well after the write")
	}
}

func TestChangedSince(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * TickSlack())
	start := time.Now()
	fp, err := Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fp.ChangedSince(start) {
		t.Errorf("a file written %s before is said to have changed since", 3*TickSlack())
	}
	if err := os.WriteFile(path, []byte("b"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fp, err = Stat(path); err != nil {
		t.Fatal(err)
	}
	if !fp.ChangedSince(start) {
		t.Errorf("a file written after %v (mtime %d, ctime %d) is not said to have changed since", start, fp.MtimeNs, fp.CtimeNs)
	}
}

// OpenRegular refuses what is not a regular file, at once, and opens a
// regular file through a link.
func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, kind := range map[string]string{fifo: "a FIFO", "/dev/zero": "a device", dir: "a folder"} {
		f, _, err := OpenRegular(path)
		var nr *NotRegularError
		if !errors.As(err, &nr) || nr.Kind != kind {
			if f != nil {
				f.Close()
			}
			t.Errorf("OpenRegular(%s) = %v, want %s", path, err, kind)
		}
	}
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("f", filepath.Join(dir, "l")); err != nil {
		t.Fatal(err)
	}
	f, st, err := OpenRegular(filepath.Join(dir, "l"))
	if err != nil || st.Size != 3 {
		t.Fatalf("OpenRegular of a link to a file: %v, size %d", err, st.Size)
	}
	f.Close()
}
