package watch

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gobuildj/gobuildj/cache"
)

func newTestStatCache(t *testing.T) (*StatCache, string) {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".state"), 0o755); err != nil {
		t.Fatal(err)
	}
	sc, err := NewStatCache(root, filepath.Join(root, ".state"))
	if err != nil {
		t.Skipf("no inotify: %v", err)
	}
	t.Cleanup(func() { sc.Close() })
	return sc, root
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sameAsStat checks that the cache answers what a stat answers now.
func sameAsStat(t *testing.T, sc *StatCache, root string, paths ...string) {
	t.Helper()
	got := sc.Stat(root, paths, 2)
	want := cache.StatAll(root, paths, 2)
	for i := range paths {
		if (got[i].Err == nil) != (want[i].Err == nil) || got[i].State != want[i].State {
			t.Errorf("%s: cached %+v, stat %+v", paths[i], got[i], want[i])
		}
	}
}

// A change is seen by the very next Stat, however soon: the cookie proves
// its event was taken in. A file created in a watched folder, a removed
// one and a renamed folder above are seen too.
func TestStatCacheSeesEveryChange(t *testing.T) {
	sc, root := newTestStatCache(t)
	paths := []string{"a.txt", "src/b.txt", "src/deep/c.txt", "missing.txt"}
	writeFile(t, filepath.Join(root, "a.txt"), "a")
	writeFile(t, filepath.Join(root, "src/b.txt"), "b")
	writeFile(t, filepath.Join(root, "src/deep/c.txt"), "c")
	sameAsStat(t, sc, root, paths...)
	before := sc.Hits.Load()
	sameAsStat(t, sc, root, paths...)
	if sc.Hits.Load()-before != int64(len(paths)) {
		t.Fatalf("a second Stat with nothing changed answered %d from memory, want %d", sc.Hits.Load()-before, len(paths))
	}
	for i := range 20 { // no wait between the change and the Stat
		writeFile(t, filepath.Join(root, "src/b.txt"), string(rune('a'+i))+"longer")
		sameAsStat(t, sc, root, paths...)
	}
	writeFile(t, filepath.Join(root, "missing.txt"), "now here")
	sameAsStat(t, sc, root, paths...)
	os.Remove(filepath.Join(root, "a.txt"))
	sameAsStat(t, sc, root, paths...)
	// A folder above is swapped for another with other files.
	writeFile(t, filepath.Join(root, "other/deep/c.txt"), "another c, longer")
	if err := os.Rename(filepath.Join(root, "src"), filepath.Join(root, "old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, "other"), filepath.Join(root, "src")); err != nil {
		t.Fatal(err)
	}
	sameAsStat(t, sc, root, paths...)
	writeFile(t, filepath.Join(root, "src/deep/c.txt"), "changed in the new folder")
	sameAsStat(t, sc, root, paths...)
}

// An overflow of the kernel's queue drops everything: the next Stat asks
// the file system for every file.
func TestStatCacheOverflowDropsAll(t *testing.T) {
	sc, root := newTestStatCache(t)
	writeFile(t, filepath.Join(root, "a.txt"), "a")
	sameAsStat(t, sc, root, "a.txt")
	if sc.Known() != 1 {
		t.Fatalf("%d stats kept, want 1", sc.Known())
	}
	sc.lost(errors.New("fsnotify: queue or buffer overflow"))
	if sc.Known() != 0 {
		t.Fatalf("%d stats kept after an overflow, want 0", sc.Known())
	}
	misses := sc.Misses.Load()
	sameAsStat(t, sc, root, "a.txt")
	if sc.Misses.Load() != misses+1 {
		t.Errorf("the Stat after an overflow did not stat the file")
	}
}

// Folders reached through a symbolic link, and files outside the root, are
// stated every time.
func TestStatCacheKeepsNothingThroughLinks(t *testing.T) {
	sc, root := newTestStatCache(t)
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "x.txt"), "x")
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(outside, "x.txt")
	sameAsStat(t, sc, root, "link/x.txt", abs)
	sameAsStat(t, sc, root, "link/x.txt", abs)
	if sc.Known() != 0 || sc.Hits.Load() != 0 {
		t.Errorf("kept %d stats (%d hits) of files through a link or outside", sc.Known(), sc.Hits.Load())
	}
}

// A file with a second name in a folder nobody watches is stated at every
// Stat: a write through that name raises no event in the watched folder.
func TestStatCacheHardLinkedFile(t *testing.T) {
	sc, root := newTestStatCache(t)
	writeFile(t, filepath.Join(root, "a.txt"), "a")
	other := filepath.Join(t.TempDir(), "a-link.txt")
	if err := os.Link(filepath.Join(root, "a.txt"), other); err != nil {
		t.Skipf("no hard link: %v", err)
	}
	sameAsStat(t, sc, root, "a.txt")
	if sc.Known() != 0 {
		t.Errorf("%d stats kept, want none for a hard-linked file", sc.Known())
	}
	writeFile(t, other, "written through the other name")
	sameAsStat(t, sc, root, "a.txt")
}
