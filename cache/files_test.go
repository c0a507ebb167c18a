package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/fileid"
)

// oldFile writes content to path and ages it so that its fingerprint is
// trusted (not racy).
func oldFile(tb testing.TB, path, content string) {
	tb.Helper()
	writeFile(tb, path, []byte(content))
	makeOld(tb, path)
}

// fakeState is the current fingerprint of path with a hash that no content
// has: if Files returns that hash, it did not read the file.
func fakeState(tb testing.TB, path string, racy bool) FileState {
	tb.Helper()
	st, err := StatFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	st.Hash = HashBytes([]byte("never the content of any file"))
	st.Racy = racy
	return st
}

func mustHash(tb testing.TB, f *Files, path string) Hash {
	tb.Helper()
	h, err := f.Hash(path)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// TestFilesFastPath proves that a trusted state's hash is returned without
// reading the file, also after the state went through the log.
func TestFilesFastPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "src", "a.c")
	oldFile(t, path, "int a;")
	fake := fakeState(t, path, false)

	s := mustOpen(t, dir)
	s.Files().Remember(path, fake)
	if got := mustHash(t, s.Files(), path); got != fake.Hash {
		t.Fatalf("Hash = %s, want the remembered %s (read the file although its stat matched)", got, fake.Hash)
	}
	mustClose(t, s)

	s = mustOpen(t, dir)
	defer mustClose(t, s)
	if got := mustHash(t, s.Files(), path); got != fake.Hash {
		t.Errorf("after reopening: Hash = %s, want the remembered %s", got, fake.Hash)
	}
	if got := mustHash(t, s.Files(), "src/a.c"); got != fake.Hash {
		t.Errorf("a path relative to the store's folder: Hash = %s, want %s", got, fake.Hash)
	}
}

// TestFilesRacyStateRehashed: a state marked racy is never trusted, even
// when the stat matches.
func TestFilesRacyStateRehashed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.c")
	oldFile(t, path, "int a;")
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	f := s.Files()
	f.Remember(path, fakeState(t, path, true))
	if got, want := mustHash(t, f, path), HashBytes([]byte("int a;")); got != want {
		t.Fatalf("Hash = %s, want the content's %s", got, want)
	}
	st, err := f.State(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Racy {
		t.Error("the rehash of an old file must be trusted from now on")
	}
}

// TestFilesJustWrittenIsRacy: a file hashed right after it was written is
// remembered as racy, so its next Hash reads it again.
func TestFilesJustWrittenIsRacy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.c")
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	st := quickly(t, func() (FileState, error) {
		writeFile(t, path, []byte("v1"))
		return s.Files().State(path)
	})
	if !st.Racy {
		t.Fatalf("a file hashed as soon as written must be racy: %+v", st)
	}
	// Same size, and the mtime put back: only the racy flag (and ctime)
	// can reveal the change.
	writeFile(t, path, []byte("v2"))
	mtime := time.Unix(0, st.MtimeNs)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if got, want := mustHash(t, s.Files(), path), HashBytes([]byte("v2")); got != want {
		t.Errorf("Hash = %s, want the new content's %s", got, want)
	}
}

// TestFilesSameSizeAndMtime: content rewritten with the same size and the
// mtime restored by Chtimes, on a file recorded as trusted, is still
// detected: the kernel moved its ctime, which nothing can set back.
func TestFilesSameSizeAndMtime(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.c")
	oldFile(t, path, "int a = 1;")
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	before, err := s.Files().State(path)
	if err != nil {
		t.Fatal(err)
	}
	if before.Racy {
		t.Fatalf("the recorded state must be trusted: %+v", before)
	}

	writeFile(t, path, []byte("int a = 2;"))
	mtime := time.Unix(0, before.MtimeNs)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	now, err := StatFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if now.Size != before.Size || now.MtimeNs != before.MtimeNs || now.Inode != before.Inode || now.CtimeNs == before.CtimeNs {
		t.Fatalf("test premise: want size, mtime and inode equal and only ctime moved; before %+v, now %+v", before, now)
	}
	if got, want := mustHash(t, s.Files(), path), HashBytes([]byte("int a = 2;")); got != want {
		t.Errorf("Hash = %s, want the new content's %s", got, want)
	}
}

// TestFilesInodeChange: a file replaced by a rename (as editors save) is
// rehashed even if it has the same size and mtime.
func TestFilesInodeChange(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.c")
	oldFile(t, path, "one")
	fake := fakeState(t, path, false)
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	s.Files().Remember(path, fake)

	tmp := filepath.Join(dir, "a.c~")
	writeFile(t, tmp, []byte("two"))
	mtime := time.Unix(0, fake.MtimeNs)
	if err := os.Chtimes(tmp, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if got, want := mustHash(t, s.Files(), path), HashBytes([]byte("two")); got != want {
		t.Errorf("Hash = %s, want the new file's %s", got, want)
	}
}

func TestFilesMissing(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	path := filepath.Join(dir, "nope.c")
	if _, err := s.Files().Hash(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Hash of a missing file: err = %v, want ErrNotExist", err)
	}
}

// TestFilesSurviveMove: states inside the project are kept relative to it,
// so moving the whole project keeps them usable.
func TestFilesSurviveMove(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "before")
	path := filepath.Join(dir, "a.c")
	oldFile(t, path, "x")
	fake := fakeState(t, path, false)
	s := mustOpen(t, dir)
	s.Files().Remember(path, fake)
	mustClose(t, s)

	moved := filepath.Join(parent, "after")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, moved)
	defer mustClose(t, s)
	if got := mustHash(t, s.Files(), filepath.Join(moved, "a.c")); got != fake.Hash {
		t.Errorf("after moving the project: Hash = %s, want the remembered %s", got, fake.Hash)
	}
}

// TestFilesRememberAndFlush: remembered states reach the log only through
// Flush (or Close), in one batch, and unchanged ones are not appended again.
func TestFilesRememberAndFlush(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	f := s.Files()
	for i := range 10 {
		f.Remember(filepath.Join(dir, fmt.Sprintf("out/%d.o", i)), FileState{Size: int64(i), Hash: HashBytes([]byte{byte(i)})})
	}
	f.Remember(filepath.Join(dir, "nohash"), FileState{Size: 1}) // ignored
	size := fileSize(t, logPath(dir))
	if size != int64(headerSize) {
		t.Fatalf("Remember wrote to the log before Flush (%d bytes)", size)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if s.records != 10 {
		t.Errorf("Flush appended %d records, want 10", s.records)
	}
	size = fileSize(t, logPath(dir))
	f.Remember(filepath.Join(dir, "out/3.o"), FileState{Size: 3, Hash: HashBytes([]byte{3})})
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := fileSize(t, logPath(dir)); got != size {
		t.Errorf("an unchanged state was appended again (%d -> %d bytes)", size, got)
	}
}

func TestFilesRemembered(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	f := s.Files()
	if _, ok := f.Remembered("out/a.o"); ok {
		t.Fatal("a state remembered for a file never seen")
	}
	want := FileState{Size: 7, MtimeNs: 42, Hash: HashBytes([]byte("a"))}
	f.Remember(filepath.Join(dir, "out/a.o"), want)
	// By its absolute path or relative to the store's folder: one file.
	for _, p := range []string{"out/a.o", filepath.Join(dir, "out/a.o")} {
		got, ok := f.Remembered(p)
		if !ok || got != want {
			t.Errorf("Remembered(%q) = %+v, %v; want %+v", p, got, ok, want)
		}
	}
	// Remembered does not look at the file (there is none).
	if _, err := os.Stat(filepath.Join(dir, "out/a.o")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the test needs out/a.o to be missing: %v", err)
	}
}

// TestFilesConcurrent hashes the same files from many goroutines (run with
// -race) and checks every answer.
func TestFilesConcurrent(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 50 {
		p := filepath.Join(dir, fmt.Sprintf("%d.txt", i))
		writeFile(t, p, []byte(p))
		paths = append(paths, p)
	}
	s := mustOpen(t, dir)
	defer mustClose(t, s)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := paths[(g*7+i)%len(paths)]
				if got := mustHash(t, s.Files(), p); got != HashBytes([]byte(p)) {
					t.Errorf("Hash(%s) = %s, want %s", p, got, HashBytes([]byte(p)))
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkFilesHash is the no-op build's question over 10k unchanged
// files: every answer from the stat fast path.
func BenchmarkFilesHash(b *testing.B) {
	dir := b.TempDir()
	const n = 10000
	paths := make([]string, n)
	old := time.Now().Add(-time.Hour)
	for i := range paths {
		paths[i] = filepath.Join(dir, "src", fmt.Sprintf("d%02d", i%100), fmt.Sprintf("f%05d.c", i))
		writeFile(b, paths[i], []byte(paths[i]))
		if err := os.Chtimes(paths[i], old, old); err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(fileid.RacySlack + 20*time.Millisecond)
	s := mustOpen(b, dir)
	defer mustClose(b, s)
	f := s.Files()
	for _, p := range paths {
		mustHash(b, f, p)
	}
	for _, p := range paths {
		if st, _ := f.State(p); st.Racy {
			b.Fatalf("%s is racy", p)
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range paths {
				if _, err := f.Hash(p); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/file")
	})
	b.Run("2goroutines", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			for g := range 2 {
				wg.Go(func() {
					for i := g; i < n; i += 2 {
						if _, err := f.Hash(paths[i]); err != nil {
							b.Error(err)
						}
					}
				})
			}
			wg.Wait()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/file")
	})
}
