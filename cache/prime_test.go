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

// TestPrime proves that a primed Files answers from the stats it was given
// (here a stat that says the file is missing, though it is not) until
// Unprime, and that Prime hashes the inputs it was asked to.
func TestPrime(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	oldFile(t, a, "a")
	oldFile(t, b, "b")
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	f := s.Files()
	stats := StatAll(dir, []string{"a.txt", b}, 2)
	stats[1] = StatResult{Err: &fs.PathError{Op: "stat", Path: b, Err: fs.ErrNotExist}}
	f.Prime([]string{a, b}, stats, func(i int) bool { return true }, 2)
	if f.len() != 1 {
		t.Fatalf("%d states remembered after Prime, want 1 (a.txt hashed, b.txt said missing)", f.len())
	}
	if _, err := f.Hash(b); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("primed Hash(b) = %v, want the primed not-exist error", err)
	}
	if h, err := f.Hash(a); err != nil || h != HashBytes([]byte("a")) {
		t.Fatalf("primed Hash(a) = %s, %v", h, err)
	}
	f.Unprime()
	if h, err := f.Hash(b); err != nil || h != HashBytes([]byte("b")) {
		t.Fatalf("Hash(b) after Unprime = %s, %v; want the content's hash", h, err)
	}
}
