package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// next waits for the next batch that has a path (batches of problems only
// are reported as they come), failing after a generous deadline.
func next(t *testing.T, w *Watcher) Batch {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case b, ok := <-w.Batches():
			if !ok {
				t.Fatal("Batches closed")
			}
			for _, p := range b.Problems {
				t.Logf("problem: %s", p)
			}
			if len(b.Paths) > 0 || b.Overflow {
				return b
			}
		case <-deadline:
			t.Fatal("no batch within 30s")
		}
	}
}

// waitFor reads batches until one has path, and returns every path seen.
func waitFor(t *testing.T, w *Watcher, path string) []string {
	t.Helper()
	var seen []string
	for {
		b := next(t, w)
		seen = append(seen, b.Paths...)
		if slices.Contains(b.Paths, path) {
			return seen
		}
	}
}

func newWatcher(t *testing.T, spec Spec) *Watcher {
	t.Helper()
	w, err := New(Options{Debounce: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.Set(spec); err != nil {
		t.Fatal(err)
	}
	return w
}

func mkfile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWriteInWatchedDir(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	mkfile(t, a, "1")
	w := newWatcher(t, Spec{Dirs: []string{dir}})
	mkfile(t, filepath.Join(dir, "x.swp"), "swap") // ignored
	mkfile(t, a, "2")
	seen := waitFor(t, w, a)
	if slices.Contains(seen, filepath.Join(dir, "x.swp")) {
		t.Errorf("a swap file was reported: %v", seen)
	}
}

func TestRenameOverIsReported(t *testing.T) {
	// vim's and JetBrains' way to save: write elsewhere, rename over.
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	mkfile(t, a, "1")
	w := newWatcher(t, Spec{Dirs: []string{dir}})
	for i := range 3 { // the folder's watch survives each save
		tmp := filepath.Join(dir, "a.txt.tmp")
		mkfile(t, tmp, "new")
		if err := os.Rename(tmp, a); err != nil {
			t.Fatal(err)
		}
		waitFor(t, w, a)
		if i == 0 && w.Watched() != 1 {
			t.Errorf("watching %d folders, want 1", w.Watched())
		}
	}
}

func TestTreeGainsNewFolders(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	mkfile(t, filepath.Join(src, "a.c"), "a")
	mkfile(t, filepath.Join(src, ".git", "HEAD"), "x")
	w := newWatcher(t, Spec{Trees: []string{src}})
	if n := w.Watched(); n != 1 {
		t.Errorf("watching %d folders, want 1 (hidden folders left out)", n)
	}
	// A folder created with a file in it at once: the file is reported
	// even if it was written before the folder's watch was added.
	deep := filepath.Join(src, "sub", "deeper", "b.c")
	mkfile(t, deep, "b")
	waitFor(t, w, deep)
	// Later writes in the new folder are seen too.
	c := filepath.Join(src, "sub", "deeper", "c.c")
	mkfile(t, c, "c")
	waitFor(t, w, c)
	if n := w.Watched(); n != 3 {
		t.Errorf("watching %d folders, want 3", n)
	}
}

func TestMissingFolderIsWaitedFor(t *testing.T) {
	dir := t.TempDir()
	want := filepath.Join(dir, "gen", "inc")
	w := newWatcher(t, Spec{Dirs: []string{dir, want}})
	h := filepath.Join(want, "v.h")
	mkfile(t, h, "1")
	waitFor(t, w, h)
	h2 := filepath.Join(want, "w.h")
	mkfile(t, h2, "2")
	waitFor(t, w, h2)
}

func TestFolderRemovedAndRecreated(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	a := filepath.Join(sub, "a.txt")
	mkfile(t, a, "1")
	w := newWatcher(t, Spec{Dirs: []string{sub}})
	if err := os.RemoveAll(sub); err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, a)
	mkfile(t, a, "2")
	waitFor(t, w, a)
	mkfile(t, a, "3") // and watched again, not only waited for
	waitFor(t, w, a)
}

func TestFolderRenamedInTree(t *testing.T) {
	dir := t.TempDir()
	mkfile(t, filepath.Join(dir, "old", "deep", "a.c"), "1")
	w := newWatcher(t, Spec{Trees: []string{dir}})
	if err := os.Rename(filepath.Join(dir, "old"), filepath.Join(dir, "new")); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(dir, "new", "deep", "a.c")
	waitFor(t, w, moved)
	// A write in the moved folder is reported under its new name.
	mkfile(t, moved, "2")
	waitFor(t, w, moved)
}

func TestSetDropsWhatIsNoLongerWanted(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	mkfile(t, filepath.Join(a, "f"), "1")
	mkfile(t, filepath.Join(b, "f"), "1")
	w := newWatcher(t, Spec{Dirs: []string{a, b}})
	if err := w.Set(Spec{Dirs: []string{b}}); err != nil {
		t.Fatal(err)
	}
	if n := w.Watched(); n != 1 {
		t.Errorf("watching %d folders, want 1", n)
	}
	mkfile(t, filepath.Join(a, "f"), "2")
	mkfile(t, filepath.Join(b, "f"), "2")
	seen := waitFor(t, w, filepath.Join(b, "f"))
	if slices.Contains(seen, filepath.Join(a, "f")) {
		t.Errorf("a folder no longer wanted is still reported: %v", seen)
	}
}

func TestIgnored(t *testing.T) {
	for path, want := range map[string]bool{
		"/p/a.c": false, "/p/.a.c.swp": true, "/p/a.c~": true, "/p/4913": true, "/p/.#a.c": true,
		"/p/#a.c#": true, "/p/a.c___jb_tmp___": true, "/p/.gobuildj/state.log": true, "/p/.gobuildj": true,
		"/p/.github/x.yml": false,
	} {
		if got := Ignored(path); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", path, got, want)
		}
	}
}

// A wanted folder that appears after its watch failed but before its
// parent's watch was added sends no event: the watcher must look again.
func TestMissingFolderAppearingWhileItsParentIsWatched(t *testing.T) {
	dir := t.TempDir()
	want := filepath.Join(dir, "gen", "inc")
	w, err := New(Options{Debounce: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	w.missed = func(d string) {
		if d == want {
			w.missed = nil
			if err := os.MkdirAll(want, 0o755); err != nil {
				t.Error(err)
			}
		}
	}
	if err := w.Set(Spec{Dirs: []string{want}}); err != nil {
		t.Fatal(err)
	}
	h := filepath.Join(want, "v.h")
	mkfile(t, h, "1")
	waitFor(t, w, h)
}
