package cache

import (
	"os"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

func recordRun(t *testing.T, s *Store, name string, d time.Duration) {
	t.Helper()
	if err := s.RecordTarget(TargetRecord{Name: name, Duration: d}); err != nil {
		t.Fatal(err)
	}
}

// TestPreload opens a store from a preloaded log, and from a log that
// changed after it was preloaded (another gobuildj appended to it, or
// compacted it): the change is never missed.
func TestPreload(t *testing.T) {
	dir := t.TempDir()
	if Preload(dir) != nil {
		t.Fatal("Preload of a folder without state is not nil")
	}
	s := mustOpen(t, dir)
	recordRun(t, s, "a", time.Second)
	mustClose(t, s)

	for _, c := range []struct {
		name    string
		between func(t *testing.T)
		want    map[string]time.Duration
	}{
		{"unchanged", func(*testing.T) {}, map[string]time.Duration{"a": time.Second}},
		{"appended", func(t *testing.T) {
			s := mustOpen(t, dir)
			recordRun(t, s, "b", 2*time.Second)
			mustClose(t, s)
		}, map[string]time.Duration{"a": time.Second, "b": 2 * time.Second}},
		{"replaced", func(t *testing.T) {
			// A log of the same size but another file and content (a
			// compaction renames a new file over the old one).
			other := t.TempDir()
			s := mustOpen(t, other)
			recordRun(t, s, "a", 1500*time.Millisecond)
			recordRun(t, s, "b", 2500*time.Millisecond)
			mustClose(t, s)
			if err := os.Rename(statedir.Of(other).StateLog(), statedir.Of(dir).StateLog()); err != nil {
				t.Fatal(err)
			}
		}, map[string]time.Duration{"a": 1500 * time.Millisecond, "b": 2500 * time.Millisecond}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := Preload(dir)
			if p == nil {
				t.Fatal("Preload = nil")
			}
			c.between(t)
			s, err := OpenPreloaded(dir, p)
			if err != nil {
				t.Fatal(err)
			}
			defer mustClose(t, s)
			for _, name := range []string{"a", "b", "c"} {
				d, ok := s.LastDuration(name)
				if want, expected := c.want[name]; ok != expected || d != want {
					t.Errorf("%s: %v, %v; want %v, %v", name, d, ok, want, expected)
				}
			}
		})
	}
}
