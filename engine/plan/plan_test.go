package plan

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// testGraph is a graph written as "target: deps" lines, targets numbered
// in the order they first appear as a target (deps must come first).
type testGraph struct {
	names       []string
	ids         map[string]int
	deps, rdeps [][]int32
}

func newTestGraph(t *testing.T, spec string) *testGraph {
	t.Helper()
	g := &testGraph{ids: map[string]int{}}
	for _, line := range strings.Split(strings.TrimSpace(spec), "\n") {
		name, deps, _ := strings.Cut(strings.TrimSpace(line), ":")
		g.add(t, strings.TrimSpace(name), strings.Fields(deps))
	}
	return g
}

func (g *testGraph) add(t *testing.T, name string, deps []string) int {
	t.Helper()
	id := len(g.names)
	g.ids[name] = id
	g.names = append(g.names, name)
	g.deps = append(g.deps, nil)
	g.rdeps = append(g.rdeps, nil)
	for _, d := range deps {
		did, ok := g.ids[d]
		if !ok {
			t.Fatalf("dep %s of %s is not declared before it", d, name)
		}
		g.deps[id] = append(g.deps[id], int32(did))
		g.rdeps[did] = append(g.rdeps[did], int32(id))
	}
	return id
}

func (g *testGraph) Len() int             { return len(g.names) }
func (g *testGraph) Deps(id int) []int32  { return g.deps[id] }
func (g *testGraph) RDeps(id int) []int32 { return g.rdeps[id] }

// run is a plan over a test graph, with helpers that speak in names and
// check the plan's invariants after every step.
type run struct {
	t *testing.T
	g *testGraph
	p *Plan
}

func newRun(t *testing.T, spec string) *run {
	g := newTestGraph(t, spec)
	return &run{t: t, g: g, p: New(g)}
}

func (r *run) id(name string) int {
	id, ok := r.g.ids[name]
	if !ok {
		r.t.Fatalf("no target %s", name)
	}
	return id
}

func (r *run) want(names ...string) {
	r.t.Helper()
	var ids []int
	for _, n := range names {
		ids = append(ids, r.id(n))
	}
	r.p.Want(ids...)
	r.check()
}

// next takes every ready target, in order, and names them.
func (r *run) next() []string {
	r.t.Helper()
	var got []string
	for {
		id, ok := r.p.Next()
		if !ok {
			break
		}
		got = append(got, r.g.names[id])
	}
	r.check()
	return got
}

func (r *run) finish(name string, ok bool) State {
	r.t.Helper()
	s := r.p.Finish(r.id(name), ok)
	r.check()
	return s
}

func (r *run) state(name string) State { return r.p.State(r.id(name)) }

func (r *run) expectStates(want string) {
	r.t.Helper()
	var got []string
	for id, name := range r.g.names {
		got = append(got, fmt.Sprintf("%s=%s", name, r.p.State(id)))
	}
	if g := strings.Join(got, " "); g != want {
		r.t.Errorf("states:\n got %s\nwant %s", g, want)
	}
}

func (r *run) expectNext(want ...string) {
	r.t.Helper()
	if got := r.next(); !slices.Equal(got, want) {
		r.t.Errorf("Next gave %v, want %v", got, want)
	}
}

// check verifies the invariants: the counts add up, every Waiting target
// counts exactly its unfinished deps, no Ready target has an unfinished or
// failed dep, a Blocked one has a failed or blocked dep, the ready heap
// holds exactly the Ready targets.
func (r *run) check() {
	r.t.Helper()
	p := r.p
	var counts [numStates]int
	for id, s := range p.state {
		counts[s]++
		unfinished, bad := 0, false
		for _, d := range r.g.deps[id] {
			ds := p.state[d]
			if s != Unwanted && ds == Unwanted {
				r.t.Fatalf("%s is %s but its dep %s is unwanted", r.g.names[id], s, r.g.names[d])
			}
			if !ds.Finished() {
				unfinished++
			}
			bad = bad || ds == Failed || ds == Blocked
		}
		switch s {
		case Waiting:
			if int(p.pending[id]) != unfinished || unfinished == 0 {
				r.t.Fatalf("%s waits for %d deps, has %d unfinished", r.g.names[id], p.pending[id], unfinished)
			}
		case Ready:
			if unfinished > 0 || bad {
				r.t.Fatalf("%s is ready with %d unfinished deps (a bad one: %v)", r.g.names[id], unfinished, bad)
			}
			if p.ready.index[id] == 0 {
				r.t.Fatalf("%s is ready but not in the heap", r.g.names[id])
			}
		case Blocked:
			if !bad || unfinished > 0 {
				r.t.Fatalf("%s is blocked without a finished bad dep", r.g.names[id])
			}
		}
		if s != Ready && p.ready.index[id] != 0 {
			r.t.Fatalf("%s is %s but in the ready heap", r.g.names[id], s)
		}
	}
	if counts != p.counts {
		r.t.Fatalf("counts %v, want %v", p.counts, counts)
	}
	if p.ready.len() != counts[Ready] {
		r.t.Fatalf("heap holds %d, %d ready", p.ready.len(), counts[Ready])
	}
}

const diamond = `
	a:
	b: a
	c: a
	d: b c
	other:
`

func TestWantPutsDepsInThePlan(t *testing.T) {
	r := newRun(t, diamond)
	r.want("b")
	r.expectStates("a=ready b=waiting c=unwanted d=unwanted other=unwanted")
	if r.p.Wanted() != 2 {
		t.Errorf("Wanted() = %d, want 2", r.p.Wanted())
	}
	r.want("d")
	r.expectStates("a=ready b=waiting c=waiting d=waiting other=unwanted")
}

func TestFinishReleasesReverseDeps(t *testing.T) {
	r := newRun(t, diamond)
	r.want("d")
	r.expectNext("a")
	r.expectNext() // b and c wait for a
	r.finish("a", true)
	r.expectNext("b", "c")
	r.finish("b", true)
	r.expectNext() // d waits for c
	r.finish("c", true)
	r.expectNext("d")
	r.finish("d", true)
	r.expectStates("a=done b=done c=done d=done other=unwanted")
	if r.p.Count(Done) != 4 {
		t.Errorf("Count(Done) = %d", r.p.Count(Done))
	}
}

func TestReadyOrderIsPriorityThenArrival(t *testing.T) {
	r := newRun(t, `
		x:
		y:
		z:
		w:
	`)
	r.p.SetPriority(r.id("z"), 10)
	r.p.SetPriority(r.id("w"), 10)
	r.want("x", "y", "z", "w")
	r.expectNext("z", "w", "x", "y")

	// A priority raised while a target is ready moves it.
	r2 := newRun(t, "x:\ny:\nz:")
	r2.want("x", "y", "z")
	r2.p.SetPriority(r2.id("z"), 5)
	r2.p.SetPriority(r2.id("x"), -1)
	r2.expectNext("z", "y", "x")
}

func TestFailureBlocksDependentsTransitively(t *testing.T) {
	// -k: a failure blocks what depends on it, the rest goes on.
	r := newRun(t, `
		a:
		b: a
		c: b
		x:
		y: x c
	`)
	r.want("y")
	r.expectNext("a", "x")
	r.finish("a", false)
	if got := r.p.TakeBlocked(); len(got) != 2 || r.g.names[got[0]] != "b" || r.g.names[got[1]] != "c" {
		t.Errorf("TakeBlocked = %v, want b then c", got)
	}
	// y still waits for x: a target is decided once all its deps are.
	r.expectStates("a=failed b=blocked c=blocked x=taken y=waiting")
	r.finish("x", true)
	r.expectStates("a=failed b=blocked c=blocked x=done y=blocked")
	r.expectNext()
	if got := r.p.TakeBlocked(); len(got) != 1 || r.g.names[got[0]] != "y" {
		t.Errorf("TakeBlocked = %v, want y", got)
	}
	if got := r.p.TakeBlocked(); got != nil {
		t.Errorf("TakeBlocked after draining = %v", got)
	}
}

func TestStopHandsOutNothingMore(t *testing.T) {
	// Without -k: the first failure stops the plan; taken targets finish,
	// ready ones stay, blocked ones are still found.
	r := newRun(t, `
		a:
		b:
		c:
		d: a
		e: b
	`)
	r.want("c", "d", "e")
	if id, _ := r.p.Next(); r.g.names[id] != "a" {
		t.Fatalf("first = %s", r.g.names[id])
	}
	r.p.Next() // b
	r.finish("a", false)
	r.p.Stop()
	r.expectNext()
	r.finish("b", true) // e becomes ready, but is not handed out
	r.expectNext()
	r.expectStates("a=failed b=done c=ready d=blocked e=ready")
	r.p.Resume()
	r.expectNext("c", "e")
}

func TestReturnGivesBackATakenTarget(t *testing.T) {
	r := newRun(t, "a:\nb: a")
	r.want("b")
	r.expectNext("a")
	r.p.Return(r.id("a"))
	r.check()
	r.expectStates("a=ready b=waiting")
	r.expectNext("a")
}

func TestWantWhileBuilding(t *testing.T) {
	// The plan grows mid-build: targets found by a running step.
	r := newRun(t, `
		a:
		f:
		g: a
		h: f
		i: a f
	`)
	r.want("a", "f")
	r.expectNext("a", "f")
	r.finish("a", true)
	r.finish("f", false)
	r.want("g") // its dep is done: ready at once
	r.want("h") // its dep failed: blocked at once
	r.expectStates("a=done f=failed g=ready h=blocked i=unwanted")
	if got := r.p.TakeBlocked(); len(got) != 1 || r.g.names[got[0]] != "h" {
		t.Errorf("TakeBlocked = %v", got)
	}
	r.expectNext("g")

	// A target wanted while its dep runs waits for it.
	r2 := newRun(t, "a:\nb: a")
	r2.want("a")
	r2.expectNext("a")
	r2.want("b")
	r2.expectStates("a=taken b=waiting")
	r2.finish("a", true)
	r2.expectNext("b")
}

func TestGrowAddsTargetsTheGraphGained(t *testing.T) {
	r := newRun(t, "a:")
	r.want("a")
	r.expectNext("a")
	id := r.g.add(t, "gen", []string{"a"}) // the graph gains a target
	r.p.Grow()
	r.check()
	if r.p.State(id) != Unwanted {
		t.Fatalf("a grown target is %s", r.p.State(id))
	}
	r.p.Want(id)
	r.check()
	r.finish("a", true)
	r.expectNext("gen")
}

func TestRedoAfterABuild(t *testing.T) {
	// A watch session: a file that b reads changed after a build.
	r := newRun(t, diamond)
	r.want("d")
	for _, n := range []string{"a", "b", "c", "d"} {
		r.next()
		r.finish(n, true)
	}
	r.p.Redo(r.id("b"))
	r.check()
	r.expectStates("a=done b=ready c=done d=waiting other=unwanted")
	r.expectNext("b")
	r.finish("b", true)
	r.expectNext("d")
}

func TestRedoWhileRunning(t *testing.T) {
	// A file that b reads changed while b runs: b runs again once its
	// current run is over, and d waits for that second run.
	r := newRun(t, diamond)
	r.want("d")
	r.expectNext("a")
	r.finish("a", true)
	r.expectNext("b", "c")
	r.p.Redo(r.id("b"))
	r.check()
	r.expectStates("a=done b=taken c=taken d=waiting other=unwanted")
	if s := r.finish("b", true); s != Ready {
		t.Errorf("a redone target's outcome left it %s, want ready", s)
	}
	r.finish("c", true)
	r.expectNext("b")
	r.finish("b", true)
	r.expectNext("d")

	// Redo of a failed target and of what it blocked.
	r2 := newRun(t, "a:\nb: a")
	r2.want("b")
	r2.next()
	r2.finish("a", false)
	r2.expectStates("a=failed b=blocked")
	r2.p.Redo(r2.id("a"))
	r2.check()
	r2.expectStates("a=ready b=waiting")

	// A redone target that is given back waits too.
	r3 := newRun(t, "a:\nb: a")
	r3.want("b")
	r3.next()
	r3.p.Redo(r3.id("a"))
	r3.p.Return(r3.id("a"))
	r3.check()
	r3.expectStates("a=ready b=waiting")
}

func TestRedoWithADepThatFailed(t *testing.T) {
	// b read a changed file, but its dep a failed: b is blocked again.
	r := newRun(t, "a:\nb: a\nc: b")
	r.want("c")
	r.next()
	r.finish("a", false)
	r.TakeBlocked()
	r.p.Redo(r.id("b"))
	r.check()
	r.expectStates("a=failed b=blocked c=blocked")
}

func (r *run) TakeBlocked() []int { return r.p.TakeBlocked() }

func TestMarkDone(t *testing.T) {
	r := newRun(t, diamond)
	r.want("d")
	r.p.MarkDone(r.id("a"))
	r.p.MarkDone(r.id("b"))
	r.check()
	r.expectStates("a=done b=done c=ready d=waiting other=unwanted")
	r.expectNext("c")
}

func TestCutoffIsAFinishWithoutARun(t *testing.T) {
	// The builder decides that a ready target is up to date (or cut
	// off): it finishes it at once, which releases what waits for it.
	r := newRun(t, "a:\nb: a\nc: b")
	r.want("c")
	var order []string
	for {
		id, ok := r.p.Next()
		if !ok {
			break
		}
		order = append(order, r.g.names[id])
		r.p.Finish(id, true)
	}
	r.check()
	if !slices.Equal(order, []string{"a", "b", "c"}) {
		t.Errorf("order %v", order)
	}
}

func TestMisuseIsCaught(t *testing.T) {
	r := newRun(t, "a:")
	r.want("a")
	defer func() {
		if recover() == nil {
			t.Error("Finish of a target that was not taken did not panic")
		}
	}()
	r.p.Finish(r.id("a"), true)
}

func BenchmarkChain(b *testing.B) {
	// A wide graph: 10000 leaves under one root; the plan's cost per
	// target.
	g := &testGraph{ids: map[string]int{}}
	t := &testing.T{}
	var leaves []string
	for i := range 10000 {
		name := fmt.Sprint("leaf", i)
		g.add(t, name, nil)
		leaves = append(leaves, name)
	}
	root := g.add(t, "root", leaves)
	b.ResetTimer()
	for range b.N {
		p := New(g)
		p.Want(root)
		for {
			id, ok := p.Next()
			if !ok {
				break
			}
			p.Finish(id, true)
		}
		if p.State(root) != Done {
			b.Fatal("root not done")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10001), "ns/target")
}

func TestWaitForDepsFoundWhileDeciding(t *testing.T) {
	// out is taken; deciding it, the builder learns that it needs gen
	// (declared after it, wanted by nothing) and that gen needs pre.
	r := newRun(t, "list:\nout: list\npre:\ngen: pre\nbad:")
	r.want("out")
	r.expectNext("list")
	r.finish("list", true)
	r.expectNext("out")
	out, gen := r.g.ids["out"], r.g.ids["gen"]
	r.g.deps[out] = append(r.g.deps[out], int32(gen))
	r.g.rdeps[gen] = append(r.g.rdeps[gen], int32(out))
	r.p.Want(gen)
	r.p.Wait(out)
	r.expectStates("list=done out=waiting pre=ready gen=waiting bad=unwanted")
	r.expectNext("pre")
	r.finish("pre", true)
	r.expectNext("gen")
	r.finish("gen", true)
	r.expectNext("out")
	r.finish("out", true)
	r.expectStates("list=done out=done pre=done gen=done bad=unwanted")

	// A dep found that failed already blocks the target at once.
	r2 := newRun(t, "bad:\nout:")
	r2.want("bad", "out")
	r2.expectNext("bad", "out")
	r2.finish("bad", false)
	r2.g.deps[1] = append(r2.g.deps[1], 0)
	r2.g.rdeps[0] = append(r2.g.rdeps[0], 1)
	r2.p.Wait(1)
	r2.expectStates("bad=failed out=blocked")
}
