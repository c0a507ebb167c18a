package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
)

// TestStatAll checks every result against a stat of its own, with enough
// files for the work to be shared by several goroutines.
func TestStatAll(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 300 {
		p := filepath.Join(dir, fmt.Sprintf("f%d", i))
		if i%7 != 0 { // every 7th is missing
			writeFile(t, p, []byte(fmt.Sprint(i)))
		}
		paths = append(paths, p)
	}
	res := StatAll(dir, paths, 4)
	for i, p := range paths {
		want, err := StatFile(p)
		switch {
		case i%7 == 0 && !errors.Is(res[i].Err, fs.ErrNotExist):
			t.Errorf("%s: err %v, want not exist", p, res[i].Err)
		case i%7 != 0 && (err != nil || res[i].Err != nil || res[i].State != want):
			t.Errorf("%s: %+v, %v; want %+v", p, res[i].State, res[i].Err, want)
		}
	}
}

// TestStateWith proves that Files answers from the fingerprint it is given
// (here one that says the file is missing, though it is not), and hashes a
// file whose given fingerprint does not match its remembered state.
func TestStateWith(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	oldFile(t, a, "a")
	oldFile(t, b, "b")
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	f := s.Files()
	stats := StatAll(dir, []string{"a.txt", b}, 2)
	missing := StatResult{Err: &fs.PathError{Op: "stat", Path: b, Err: fs.ErrNotExist}}
	if _, err := f.StateWith(b, missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("StateWith(b, missing) = %v, want the given not-exist error", err)
	}
	st, err := f.StateWith("a.txt", stats[0])
	if err != nil || st.Hash != HashBytes([]byte("a")) || f.len() != 1 {
		t.Fatalf("StateWith(a) = %+v, %v with %d states remembered; want a's hash, remembered", st, err, f.len())
	}
	// A remembered state with the given fingerprint is trusted as it is.
	fake := fakeState(t, b, false)
	f.Remember(b, fake)
	if st, err := f.StateWith(b, stats[1]); err != nil || st.Hash != fake.Hash {
		t.Fatalf("StateWith(b) = %s, %v; want the remembered %s", st.Hash, err, fake.Hash)
	}
}
