package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/watch"
)

// fakeWatcher is a Watcher whose batches the test sends: what the kernel
// would report is decided by the test, so that what Watch makes of a batch
// (an overflow, an output's event) is tested apart from fsnotify, which
// cmd/gobuildj's tests drive for real.
type fakeWatcher struct {
	batches chan watch.Batch
	mu      sync.Mutex
	specs   []watch.Spec
}

func (f *fakeWatcher) Set(s watch.Spec) error {
	f.mu.Lock()
	f.specs = append(f.specs, s)
	f.mu.Unlock()
	return nil
}

func (f *fakeWatcher) Batches() <-chan watch.Batch { return f.batches }

func (f *fakeWatcher) lastSpec(t *testing.T) watch.Spec {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.specs) == 0 {
		t.Fatal("Watch never said what to watch")
	}
	return f.specs[len(f.specs)-1]
}

// cycles is a Listener that hands each build's summary to the test, with
// the targets that started in it.
type cycles struct {
	recorder
	done chan cycleResult
}

type cycleResult struct {
	sum     event.Summary
	started []string
}

func (c *cycles) Done(s event.Summary) {
	c.mu.Lock()
	started := c.started
	c.started = nil
	c.mu.Unlock()
	slices.Sort(started)
	c.done <- cycleResult{sum: s, started: started}
}

// next waits for the next build's end.
func (c *cycles) next(t *testing.T) cycleResult {
	t.Helper()
	select {
	case r := <-c.done:
		return r
	case <-time.After(60 * time.Second):
		t.Fatal("no build ended within a minute")
	}
	return cycleResult{}
}

// none checks that no build ends within d.
func (c *cycles) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case r := <-c.done:
		t.Fatalf("a build ran %v when nothing had changed", r.started)
	case <-time.After(d):
	}
}

// watchSession runs Watch over the Buildfile text in a new folder with
// files, and returns the folder, the fake watcher, the builds' summaries
// and the headers of the cycles; the session ends with the test.
func watchSession(t *testing.T, text string, files map[string]string) (string, *fakeWatcher, *cycles, <-chan Cycle) {
	t.Helper()
	g := loadBuildfile(t, text)
	dir := g.Root
	for name, content := range files {
		writeTestFile(t, filepath.Join(dir, name), content)
	}
	fw := &fakeWatcher{batches: make(chan watch.Batch)}
	st := &cycles{done: make(chan cycleResult, 16)}
	heads := make(chan Cycle, 16)
	interrupt := make(chan os.Signal, 1)
	ended := make(chan error, 1)
	go func() {
		ended <- Watch(g, Options{Jobs: 2, Listener: st, KillGrace: time.Second}, WatchOptions{
			Watcher: fw,
			OnCycle: func(c Cycle) { heads <- c },
		}, interrupt)
	}()
	t.Cleanup(func() {
		interrupt <- os.Interrupt
		select {
		case err := <-ended:
			if err != nil {
				t.Errorf("Watch: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Watch did not return after an interrupt")
		}
	})
	return dir, fw, st, heads
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const twoCopies = `
[targets.all]
deps = ["a", "b"]
[targets.a]
inputs  = ["a.txt"]
outputs = ["out/a"]
cmd     = "cp a.txt out/a"
[targets.b]
inputs  = ["src/**/*.txt"]
outputs = ["out/b"]
cmd     = "cat ${in} > out/b"
`

func TestWatchWatchesInputsOutputsAndGlobBases(t *testing.T) {
	dir, fw, st, _ := watchSession(t, twoCopies, map[string]string{"a.txt": "a\n", "src/x/b.txt": "b\n"})
	if r := st.next(t); !slices.Equal(r.started, []string{"a", "b"}) {
		t.Fatalf("first build started %v", r.started)
	}
	spec := fw.lastSpec(t)
	for _, d := range []string{dir, filepath.Join(dir, "out")} {
		if !slices.Contains(spec.Dirs, d) {
			t.Errorf("%s is not watched: %+v", d, spec)
		}
	}
	if !slices.Equal(spec.Trees, []string{filepath.Join(dir, "src")}) {
		t.Errorf("trees %v, want the glob's base %s", spec.Trees, filepath.Join(dir, "src"))
	}
}

func TestWatchOverflowChecksEverything(t *testing.T) {
	dir, fw, st, heads := watchSession(t, twoCopies, map[string]string{"a.txt": "a\n", "src/x/b.txt": "b\n"})
	st.next(t)
	<-heads
	// The kernel dropped the event of this edit: an overflow is all
	// Watch hears, and it finds the edit by checking everything.
	writeTestFile(t, filepath.Join(dir, "src/x/b.txt"), "changed\n")
	fw.batches <- watch.Batch{Overflow: true}
	r := st.next(t)
	if !slices.Equal(r.started, []string{"b"}) || r.sum.Run != 1 || r.sum.UpToDate != 1 {
		t.Errorf("after an overflow: started %v, summary %+v; want b alone", r.started, r.sum)
	}
	if c := <-heads; !c.Overflow {
		t.Errorf("the cycle's header does not say the kernel dropped events: %+v", c)
	}
}

func TestWatchOutputEvents(t *testing.T) {
	dir, fw, st, _ := watchSession(t, twoCopies, map[string]string{"a.txt": "a\n", "src/x/b.txt": "b\n"})
	st.next(t)
	// The events of the commands' own writes start nothing.
	fw.batches <- watch.Batch{Paths: []string{filepath.Join(dir, "out/a"), filepath.Join(dir, "out/b")}}
	st.none(t, 500*time.Millisecond)
	// An output deleted by hand runs its target again.
	if err := os.Remove(filepath.Join(dir, "out/a")); err != nil {
		t.Fatal(err)
	}
	fw.batches <- watch.Batch{Paths: []string{filepath.Join(dir, "out/a")}}
	if r := st.next(t); !slices.Equal(r.started, []string{"a"}) {
		t.Errorf("after out/a was deleted, started %v; want a", r.started)
	}
	// So does an output whose folder went away.
	if err := os.RemoveAll(filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	fw.batches <- watch.Batch{Paths: []string{filepath.Join(dir, "out")}}
	if r := st.next(t); !slices.Equal(r.started, []string{"a", "b"}) {
		t.Errorf("after out/ was removed, started %v; want a and b", r.started)
	}
	for _, o := range []string{"out/a", "out/b"} {
		if _, err := os.Stat(filepath.Join(dir, o)); err != nil {
			t.Errorf("%s was not built again: %v", o, err)
		}
	}
}

const twoOutputsWatched = `
[targets.all]
deps = ["useA", "useB", "useAll"]
[targets.gen]
inputs  = ["src.txt"]
outputs = ["a.txt", "b.txt"]
cmd     = "cp src.txt a.txt && echo constant > b.txt"
[targets.useA]
inputs  = ["a.txt"]
outputs = ["useA.out"]
cmd     = "cp a.txt useA.out"
[targets.useB]
deps    = ["b.txt"]
outputs = ["useB.out"]
cmd     = "cp b.txt useB.out"
[targets.useAll]
deps    = ["gen"]
outputs = ["useAll.out"]
cmd     = "cat a.txt b.txt > useAll.out"
`

func TestWatchCutoffPerOutput(t *testing.T) {
	dir, fw, st, _ := watchSession(t, twoOutputsWatched, map[string]string{"src.txt": "1\n"})
	if r := st.next(t); r.sum.Run != 4 {
		t.Fatalf("first build: started %v, summary %+v", r.started, r.sum)
	}
	// gen runs again and changes a.txt alone: useB is cut off.
	writeTestFile(t, filepath.Join(dir, "src.txt"), "2\n")
	fw.batches <- watch.Batch{Paths: []string{filepath.Join(dir, "src.txt")}}
	r := st.next(t)
	if !slices.Equal(r.started, []string{"gen", "useA", "useAll"}) || r.sum.UpToDate != 1 {
		t.Errorf("after src.txt changed: started %v, summary %+v; want gen, useA and useAll", r.started, r.sum)
	}
}

// TestSameTargetComparesConsumedOutputs: a Buildfile read again where a
// target names its dep by output path instead of by name (the same
// command) changes what its key covers, so the target is not the same.
func TestSameTargetComparesConsumedOutputs(t *testing.T) {
	byPath := loadBuildfile(t, twoOutputsWatched)
	byName := loadBuildfile(t, strings.Replace(twoOutputsWatched, `deps    = ["b.txt"]`, `deps    = ["gen"]`, 1))
	for _, name := range []string{"gen", "useA", "useAll"} {
		a, _ := byPath.Lookup(name)
		b, _ := byName.Lookup(name)
		if !sameTarget(a, b) {
			t.Errorf("%s differs", name)
		}
	}
	a, _ := byPath.Lookup("useB")
	b, _ := byName.Lookup("useB")
	if sameTarget(a, b) {
		t.Error("useB by output path and by name are the same target")
	}
}
