package engine

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/engine/runner"
	"github.com/gobuildj/gobuildj/engine/runner/runnertest"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/watch"
)

// The tests below run the builder's logic with a fake runner: no process
// starts, a job "runs" by writing its outputs, and each ends as the test
// says. They cover the rules the builder holds: the order in which ready
// targets start, early cutoff, failures with and without -k, blocked
// targets, and in watch mode stop, cancel and restart and a plan that grows
// during a build.

// fakeProject is a Buildfile in a new folder built with a fake runner.
type fakeProject struct {
	t    *testing.T
	g    *graph.Graph
	fake *runnertest.Fake
}

func newFakeProject(t *testing.T, text string, files map[string]string) *fakeProject {
	t.Helper()
	g := loadBuildfile(t, text)
	for name, content := range files {
		writeTestFile(t, filepath.Join(g.Root, name), content)
	}
	return &fakeProject{t: t, g: g, fake: &runnertest.Fake{}}
}

func (p *fakeProject) newRunner(s runner.Sink) runner.Runner {
	p.fake.Sink = s
	return p.fake
}

// build builds targets (none: all) and returns what the listener heard.
func (p *fakeProject) build(opts Options, targets ...string) (*recorder, event.Summary, error) {
	p.t.Helper()
	if len(targets) == 0 {
		targets = []string{"all"}
	}
	sel, err := p.g.Select(targets)
	if err != nil {
		p.t.Fatal(err)
	}
	rec := &recorder{}
	opts.Listener = rec
	p.fake = &runnertest.Fake{Outcome: p.fake.Outcome, Content: p.fake.Content, Trace: p.fake.Trace}
	sum, err := build(p.g, sel, opts, nil, p.newRunner)
	return rec, sum, err
}

func (p *fakeProject) write(name, content string) {
	p.t.Helper()
	writeTestFile(p.t, filepath.Join(p.g.Root, name), content)
}

func TestBuilderStartsTheCriticalPathFirst(t *testing.T) {
	// One job; before any run every command counts alike: c0 heads a
	// chain of 3, c1 of 2, and c2 ties with the shorts, which were ready
	// before it.
	p := newFakeProject(t, skewed(3, "0", 3, "0"), nil)
	rec, _, err := p.build(Options{Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c0", "c1", "s0", "s1", "s2", "c2"}
	if !slices.Equal(rec.started, want) {
		t.Errorf("started %v, want %v", rec.started, want)
	}
	// FIFO: the order they became ready in.
	rec, _, err = p.build(Options{Jobs: 1, Force: true, FIFO: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"s0", "s1", "s2", "c0", "c1", "c2"}; !slices.Equal(rec.started, want) {
		t.Errorf("FIFO started %v, want %v", rec.started, want)
	}
}

const chainOfThree = `
[targets.gen]
inputs  = ["in.txt"]
outputs = ["gen.out"]
cmd     = "gen"
[targets.use]
deps    = ["gen"]
outputs = ["use.out"]
cmd     = "use"
[targets.top]
deps    = ["use"]
outputs = ["top.out"]
cmd     = "top"
[targets.all]
deps = ["top"]
`

func TestBuilderEarlyCutoff(t *testing.T) {
	p := newFakeProject(t, chainOfThree, map[string]string{"in.txt": "1"})
	p.fake.Content = func(j *runner.Job, out string) []byte { return []byte(j.Work.Target) }
	if _, sum, err := p.build(Options{Jobs: 2}); err != nil || sum.Run != 3 {
		t.Fatalf("first build: %+v, %v", sum, err)
	}
	// gen reads a changed input but writes the same bytes: use and top
	// are cut off.
	p.write("in.txt", "2")
	rec, sum, err := p.build(Options{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.started, []string{"gen"}) || sum.Run != 1 || sum.UpToDate != 2 {
		t.Errorf("started %v, summary %+v; want gen alone, 2 up to date", rec.started, sum)
	}
	if got := rec.skips(event.SkipCutoff); len(got) != 2 {
		t.Errorf("cut off: %v, want use and top", got)
	}
	// Now gen writes something else: what reads it runs.
	p.fake.Content = func(j *runner.Job, out string) []byte { return []byte(j.Work.Target + "!") }
	p.write("in.txt", "3")
	rec, _, err = p.build(Options{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.started, []string{"gen", "use", "top"}) {
		t.Errorf("started %v, want the chain", rec.started)
	}
	// And then nothing is left to do.
	if rec, sum, _ := p.build(Options{Jobs: 2}); len(rec.started) != 0 || sum.UpToDate != 3 {
		t.Errorf("a build after the build ran %v (%+v)", rec.started, sum)
	}
}

const withFailure = `
[targets.bad]
outputs = ["bad.out"]
cmd     = "bad"
[targets.top]
deps    = ["bad"]
outputs = ["top.out"]
cmd     = "top"
[targets.above]
deps    = ["top"]
outputs = ["above.out"]
cmd     = "above"
[targets.x]
outputs = ["x.out"]
cmd     = "x"
[targets.y]
outputs = ["y.out"]
cmd     = "y"
[targets.all]
deps = ["above", "x", "y"]
`

func failing(names ...string) func(j *runner.Job) (bool, bool) {
	return func(j *runner.Job) (bool, bool) { return !slices.Contains(names, j.Work.Target), true }
}

func TestBuilderFailureStopsTheBuild(t *testing.T) {
	p := newFakeProject(t, withFailure, nil)
	p.fake.Outcome = failing("bad")
	rec, sum, err := p.build(Options{Jobs: 1})
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("err %v, want ErrFailed", err)
	}
	// bad heads the longest chain: it starts first, fails, and nothing
	// starts after it.
	if !slices.Equal(rec.started, []string{"bad"}) {
		t.Errorf("started %v, want bad alone", rec.started)
	}
	if sum.Failed != 1 || sum.NotRun != 4 || sum.Run != 0 {
		t.Errorf("summary %+v, want 1 failed, 4 not run", sum)
	}
	blocked := rec.skips(event.SkipBlocked)
	if want := []string{"top: dep bad failed", "above: dep top did not run: bad failed"}; !slices.Equal(blocked, want) {
		t.Errorf("blocked %v, want %v", blocked, want)
	}
	notRun := rec.skips(event.SkipNotRun)
	if len(notRun) != 2 || !strings.Contains(notRun[0], "-k keeps going") {
		t.Errorf("not run %v, want x and y, saying why", notRun)
	}
}

func TestBuilderKeepGoing(t *testing.T) {
	p := newFakeProject(t, withFailure, nil)
	p.fake.Outcome = failing("bad")
	rec, sum, err := p.build(Options{Jobs: 1, KeepGoing: true})
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("err %v, want ErrFailed", err)
	}
	if !slices.Equal(rec.started, []string{"bad", "x", "y"}) {
		t.Errorf("started %v, want bad, then what does not depend on it", rec.started)
	}
	if sum.Failed != 1 || sum.Run != 2 || sum.NotRun != 2 {
		t.Errorf("summary %+v", sum)
	}
	if got := rec.skips(event.SkipBlocked); len(got) != 2 {
		t.Errorf("blocked %v, want top and above", got)
	}
	// The next build retries the failure and what it blocked, and only
	// that.
	p.fake.Outcome = nil
	rec, sum, err = p.build(Options{Jobs: 1, KeepGoing: true})
	if err != nil || !slices.Equal(rec.started, []string{"bad", "top", "above"}) {
		t.Errorf("retry started %v (%v), want bad, top, above", rec.started, err)
	}
}

const poolAndFailure = `
[pools.link]
depth = 1
[targets.all]
deps = ["bad", "p"]
[targets.bad]
inputs  = ["bad.txt"]
outputs = ["out/bad"]
cmd     = "bad"
[targets.p]
inputs  = ["p.txt"]
outputs = ["out/p"]
cmd     = "cp p.txt out/p"
pool    = "link"
`

// watchFake runs a watch session with a fake runner and a fake watcher.
func (p *fakeProject) watch(opts Options) (*fakeWatcher, *cycles) {
	t := p.t
	fw := &fakeWatcher{batches: make(chan watch.Batch)}
	st := &cycles{done: make(chan cycleResult, 16)}
	interrupt := make(chan os.Signal, 1)
	ended := make(chan error, 1)
	opts.Listener = st
	go func() {
		ended <- watchWith(p.g, opts, WatchOptions{Watcher: fw}, interrupt, p.newRunner)
	}()
	t.Cleanup(func() {
		interrupt <- os.Interrupt
		select {
		case <-ended:
		case <-time.After(30 * time.Second):
			t.Error("Watch did not return after an interrupt")
		}
	})
	return fw, st
}

func (p *fakeProject) waitFor(name string) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(p.fake.Waiting(), name) {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s never started (waiting: %v)", name, p.fake.Waiting())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWatchAfterAFailureWithAPoolJobQueued(t *testing.T) {
	// Cycle 1: with -j1, bad runs and p (pool depth 1) waits for the
	// slot; bad fails, which stops the build while p waits. Cycle 2 (bad
	// fixed, p changed) must run both: p's pool slot was never taken
	// while it waited, so none is lost.
	p := newFakeProject(t, poolAndFailure, map[string]string{"bad.txt": "no", "p.txt": "1"})
	p.fake.Outcome = func(j *runner.Job) (bool, bool) {
		if j.Work.Target != "bad" {
			return true, true
		}
		data, _ := os.ReadFile(filepath.Join(p.g.Root, "bad.txt"))
		return strings.Contains(string(data), "ok"), false
	}
	fw, st := p.watch(Options{Jobs: 1, KillGrace: time.Second})
	p.waitFor("bad")
	if err := p.fake.Finish("bad", false); err != nil {
		t.Fatal(err)
	}
	first := st.next(t)
	if first.sum.Failed != 1 || first.sum.NotRun != 1 {
		t.Fatalf("cycle 1: %+v, want bad failed and p not run", first.sum)
	}
	p.write("bad.txt", "ok")
	p.write("p.txt", "2")
	fw.batches <- watch.Batch{Paths: []string{filepath.Join(p.g.Root, "bad.txt"), filepath.Join(p.g.Root, "p.txt")}}
	p.waitFor("bad")
	if err := p.fake.Finish("bad", true); err != nil {
		t.Fatal(err)
	}
	second := st.next(t)
	if second.sum.Run != 2 || second.sum.Failed != 0 || !slices.Equal(second.started, []string{"bad", "p"}) {
		t.Errorf("cycle 2: %+v started %v, want bad and p", second.sum, second.started)
	}
}

const slowAndQuick = `
[targets.all]
deps = ["slow", "quick"]
[targets.slow]
inputs  = ["slow.txt"]
outputs = ["slow.out"]
cmd     = "slow"
[targets.quick]
inputs  = ["quick.txt"]
outputs = ["quick.out"]
cmd     = "quick"
`

func TestWatchCancelsAndRestarts(t *testing.T) {
	// A file that slow reads changes while slow runs: its run is
	// canceled and it runs again in the same build.
	p := newFakeProject(t, slowAndQuick, map[string]string{"slow.txt": "1", "quick.txt": "1"})
	p.fake.Outcome = func(j *runner.Job) (bool, bool) { return true, j.Work.Target != "slow" }
	fw, st := p.watch(Options{Jobs: 2, KillGrace: time.Second})
	p.waitFor("slow")
	p.write("slow.txt", "2")
	fw.batches <- watch.Batch{Paths: []string{filepath.Join(p.g.Root, "slow.txt")}}
	// The canceled run ends, and slow starts again.
	deadline := time.Now().Add(10 * time.Second)
	for countOf(p.fake.Started(), "slow") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("slow did not start again: %v", p.fake.Started())
		}
		time.Sleep(time.Millisecond)
	}
	p.waitFor("slow")
	if err := p.fake.Finish("slow", true); err != nil {
		t.Fatal(err)
	}
	r := st.next(t)
	if r.sum.Restarted != 1 || r.sum.Run != 2 {
		t.Errorf("summary %+v, want slow restarted once, 2 run", r.sum)
	}
	if data, _ := os.ReadFile(filepath.Join(p.g.Root, "slow.out")); string(data) != "slow" {
		t.Errorf("slow.out = %q", data)
	}
}

func TestWatchGrowsTheBuildInProgress(t *testing.T) {
	// quick is up to date, so the second build does not look at it; a
	// change to its input during that build adds it to the build.
	p := newFakeProject(t, slowAndQuick, map[string]string{"slow.txt": "1", "quick.txt": "1"})
	p.fake.Outcome = func(j *runner.Job) (bool, bool) { return true, true }
	fw, st := p.watch(Options{Jobs: 2, KillGrace: time.Second})
	if r := st.next(t); r.sum.Run != 2 {
		t.Fatalf("first build: %+v", r.sum)
	}
	p.fake.Outcome = func(j *runner.Job) (bool, bool) { return true, j.Work.Target != "slow" }
	p.write("slow.txt", "2")
	fw.batches <- watch.Batch{Paths: []string{filepath.Join(p.g.Root, "slow.txt")}}
	p.waitFor("slow")
	p.write("quick.txt", "2")
	fw.batches <- watch.Batch{Paths: []string{filepath.Join(p.g.Root, "quick.txt")}}
	deadline := time.Now().Add(10 * time.Second)
	for countOf(p.fake.Started(), "quick") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("quick was not added to the build: %v", p.fake.Started())
		}
		time.Sleep(time.Millisecond)
	}
	if err := p.fake.Finish("slow", true); err != nil {
		t.Fatal(err)
	}
	r := st.next(t)
	if r.sum.Run != 2 || !slices.Equal(r.started, []string{"quick", "slow"}) {
		t.Errorf("second build %+v started %v, want slow and quick", r.sum, r.started)
	}
}

func countOf(names []string, name string) int {
	n := 0
	for _, x := range names {
		if x == name {
			n++
		}
	}
	return n
}

// twoOutputs has gen write a.txt from src.txt and b.txt constant, read
// through a.txt (an input), b.txt (a dep by output path) and gen (a dep by
// name).
const twoOutputs = `
[targets.gen]
inputs  = ["src.txt"]
outputs = ["a.txt", "b.txt"]
cmd     = "gen"
[targets.useA]
inputs  = ["a.txt"]
outputs = ["useA.out"]
cmd     = "useA"
[targets.useB]
deps    = ["b.txt"]
outputs = ["useB.out"]
cmd     = "useB"
[targets.useAll]
deps    = ["gen"]
outputs = ["useAll.out"]
cmd     = "useAll"
[targets.all]
deps = ["useA", "useB", "useAll"]
`

func TestBuilderCutoffPerOutput(t *testing.T) {
	p := newFakeProject(t, twoOutputs, map[string]string{"src.txt": "1"})
	p.fake.Content = func(j *runner.Job, out string) []byte {
		if filepath.Base(out) == "a.txt" {
			src, err := os.ReadFile(filepath.Join(p.g.Root, "src.txt"))
			if err != nil {
				t.Error(err)
			}
			return src
		}
		return []byte(j.Work.Target)
	}
	if _, sum, err := p.build(Options{Jobs: 2}); err != nil || sum.Run != 4 {
		t.Fatalf("first build: %+v, %v", sum, err)
	}
	// gen runs again and changes a.txt alone: useB, which reads b.txt
	// alone, is cut off.
	p.write("src.txt", "2")
	rec, sum, err := p.build(Options{Jobs: 1, Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	started := slices.Sorted(slices.Values(rec.started))
	if want := []string{"gen", "useA", "useAll"}; !slices.Equal(started, want) || sum.Run != 3 || sum.UpToDate != 1 {
		t.Errorf("started %v, summary %+v; want %v, 1 up to date", started, sum, want)
	}
	if got, want := rec.skips(event.SkipCutoff), []string{"useB: the outputs of its deps that it reads are unchanged"}; !slices.Equal(got, want) {
		t.Errorf("cut off: %q, want %q", got, want)
	}
	want := []string{"gen: input src.txt changed", "useA: input a.txt changed", "useAll: dep gen rebuilt with new outputs"}
	if got := slices.Sorted(slices.Values(rec.explained)); !slices.Equal(got, want) {
		t.Errorf("explained %q, want %q", got, want)
	}
	if rec, sum, _ := p.build(Options{Jobs: 2}); len(rec.started) != 0 || sum.UpToDate != 4 {
		t.Errorf("a build after the build ran %v (%+v)", rec.started, sum)
	}
	// Now b.txt changes too: useB runs, for the output it reads.
	content := p.fake.Content
	p.fake.Content = func(j *runner.Job, out string) []byte { return append(content(j, out), '!') }
	p.write("src.txt", "3")
	rec, _, err = p.build(Options{Jobs: 1, Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(slices.Values(rec.started)); !slices.Equal(got, []string{"gen", "useA", "useAll", "useB"}) {
		t.Errorf("started %v, want all four", got)
	}
	if !slices.Contains(rec.explained, "useB: dep output b.txt changed") {
		t.Errorf("explained %q, want useB: dep output b.txt changed", rec.explained)
	}
}
